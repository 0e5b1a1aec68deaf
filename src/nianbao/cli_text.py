"""The command line in Chinese first: click's own words (usage, section headings, --help, usage
errors) with the Chinese before the English, as every other message of nianbao.

click writes its words through ``gettext``; the words it uses are given here once, in Chinese and
English, and installed into click's modules when the command line starts.
"""

from __future__ import annotations

import re

import click

# click's own words → Chinese, then the English.
WORDS = {
    "Usage:": "用法 Usage:",
    "Options": "选项 Options",
    "Commands": "命令 Commands",
    "Arguments": "参数 Arguments",
    "Show this message and exit.": "显示本说明并退出。Show this message and exit.",
    "Show the version and exit.": "显示版本并退出。Show the version and exit.",
    "(default: {default})": "（默认 default: {default}）",
    "default: {default}": "默认 default: {default}",
    "required": "必填 required",
}


def _words(message: str) -> str:
    return WORDS.get(message, message)


def install() -> None:
    """Put the Chinese words into click (its modules look ``_`` up at call time)."""
    import click.core
    import click.decorators
    import click.formatting

    for module in (click.core, click.decorators, click.formatting):
        module._ = _words  # type: ignore[attr-defined]


_TYPE_ERRORS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^'?(.*?)'? is not a valid integer\.?$"), "“{0}”不是整数"),
    (re.compile(r"^'?(.*?)'? is not a valid float\.?$"), "“{0}”不是数字"),
    (re.compile(r"^'?(.*?)'? is not one of (.*)\.$"), "“{0}”不是可选的值（{1}）"),
    (re.compile(r"^(?:File|Path|Directory) '(.*)' does not exist\.$"), "“{0}”不存在"),
    (re.compile(r"^(?:File|Path) '(.*)' is a directory\.$"), "“{0}”是文件夹，应为文件"),
    (re.compile(r"^Directory '(.*)' is a file\.$"), "“{0}”是文件，应为文件夹"),
)


def _zh_value_error(message: str) -> str:
    for pattern, zh in _TYPE_ERRORS:
        m = pattern.match(message.strip())
        if m:
            return zh.format(*(g.strip("'") for g in m.groups()))
    return message


def usage_error_zh(e: click.UsageError) -> str:
    """A usage error in Chinese."""
    if isinstance(e, click.MissingParameter):
        hint = e.param.get_error_hint(e.ctx) if e.param is not None and e.ctx is not None else ""
        kind = "参数" if isinstance(e.param, click.Argument) else "选项"
        return f"缺少{kind} {hint}".strip()
    if isinstance(e, click.NoSuchOption):
        guess = f"（是不是 {'、'.join(e.possibilities)}？）" if e.possibilities else ""
        return f"没有选项 {e.option_name}{guess}"
    if isinstance(e, click.BadParameter):
        hint = e.param_hint or (e.param.get_error_hint(e.ctx) if e.param is not None and e.ctx is not None else "")
        if isinstance(hint, (list, tuple)):
            hint = " / ".join(hint)
        return f"{hint} 的值无效：{_zh_value_error(e.message)}"
    m = re.match(r"No such command '(.*)'\.", e.message)
    if m:
        return f"没有命令 {m.group(1)}"
    if e.message.startswith("Got unexpected extra argument"):
        return "多出了参数：" + e.message.split("(", 1)[-1].rstrip(")")
    return "命令用法有误"


def show_usage_error(e: click.UsageError) -> None:
    """What a person sees for a usage error: Chinese, the English, and where to read the usage."""
    command = e.ctx.command_path if e.ctx is not None else "nianbao"
    out = [f"错误：{usage_error_zh(e)}。", f"Error: {e.format_message()}",
           f"用 {command} --help 查看用法。Try '{command} --help' for help."]
    click.echo("\n".join(out), err=True)
