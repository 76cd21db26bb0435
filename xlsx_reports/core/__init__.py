"""What every stage shares and no outside library touches: findings, atomic output, the roster."""
