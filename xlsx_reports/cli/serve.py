"""`serve`: the workspace on a web page for the district and the townships."""
from __future__ import annotations

import click

from xlsx_reports.cli.base import main


@main.command("serve")
@click.argument("workspace", metavar="DIR", type=click.Path(file_okay=False))
@click.option("--host", default="127.0.0.1", show_default=True,
              help="监听地址：127.0.0.1 只有本机能访问；0.0.0.0 让乡镇在内网访问（须设密码）")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="端口（0 表示自动选一个空闲端口）")
@click.option("--password", envvar="XLSX_REPORTS_PASSWORD", default=None,
              help="区级页面的登录密码（不在本机提供服务时必须设置；也可用环境变量 XLSX_REPORTS_PASSWORD）")
@click.option("--trusted-proxy", metavar="ADDRESS",
              help="在反向代理（如提供 https 的 nginx）后面提供服务时，代理的 IP 地址：信任它转来的 "
                   "X-Forwarded-Proto/Host/Port/For，上传链接按各单位实际访问的地址生成（须设密码）")
@click.option("--open", "open_browser", is_flag=True, help="启动后在浏览器中打开页面")
def serve_command(workspace, host, port, password, trusted_proxy, open_browser) -> None:
    """在网页上收报表：区级报送情况页面，和各单位凭专用链接上传、查看校验结果的页面。

    工作区由 xlsx-reports workspace init 建立。按 Ctrl+C 停止。
    """
    from xlsx_reports.web.server import serve

    serve(workspace, host=host, port=port, password=password, open_browser=open_browser,
          trusted_proxy=trusted_proxy, say=lambda text: click.echo(text))
