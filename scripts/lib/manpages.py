#!/usr/bin/env python3
"""Man pages of mediash, made from the sources that already say what they say.

  manpages.py command BINARY OUTFILE
      PROGRAM(1) from BINARY's own declarations: swift-argument-parser's
      `BINARY --experimental-dump-help` (the JSON its --help and completion scripts are made
      from), so every option, flag and argument the command declares is in the page, with its
      help text, and the page cannot drift from the binary it describes. Fails (exit 1) when
      the dump is not version 0 of that format, or names no arguments.
  manpages.py language MARKDOWN OUTFILE
      mediash-language(7) from docs/language.md: headings, paragraphs, lists, code blocks and
      tables converted as they are written, nothing added.

Why not swift-argument-parser's generate-manual plugin: it builds every product of the package
again (in its own configuration, without scripts/lib/release.sh's static flags) before it runs
the same --experimental-dump-help, which would double scripts/install's build time.

The page's date is the last commit's day (SOURCE_DATE_EPOCH if set), so a rebuild of one commit
gives the same bytes; the footer names the version line the binary prints (`--version`).
"""
import datetime
import json
import os
import re
import subprocess
import sys


def roff_escape(text):
    """Text safe in a roff line: backslashes doubled as \\e, a leading . or ' disarmed, - as \\-."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    # Non-ASCII as groff's Unicode escapes, so the page reads the same without preconv.
    return "".join(c if ord(c) < 128 else f"\\[u{ord(c):04X}]" for c in text)


def roff_line(text):
    text = roff_escape(text)
    if text.startswith(".") or text.startswith("'"):
        text = "\\&" + text
    return text


def page_date():
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc).strftime("%Y-%m-%d")
    try:
        out = subprocess.run(["git", "log", "-1", "--format=%cs"], capture_output=True, text=True,
                             cwd=os.path.dirname(os.path.abspath(__file__)), check=True).stdout.strip()
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", out):
            return out
    except (OSError, subprocess.CalledProcessError):
        pass
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")


def fail(message):
    print(f"manpages.py: {message}", file=sys.stderr)
    sys.exit(1)


def run(binary, *arguments):
    try:
        done = subprocess.run([binary, *arguments], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        fail(f"cannot run {binary} {' '.join(arguments)}: {error}")
    if done.returncode != 0:
        fail(f"{binary} {' '.join(arguments)} exited {done.returncode}: {done.stderr.strip()}")
    return done.stdout


def spelled(name):
    return {"long": "--", "short": "-", "longWithSingleDash": "-"}.get(name["kind"], "--") + name["name"]


def help_usage(help_text):
    """The USAGE: block of --help: its first line after the label, and the indented lines after."""
    lines = help_text.split("\n")
    for index, line in enumerate(lines):
        if line.startswith("USAGE: "):
            usage = [line[len("USAGE: "):]]
            for more in lines[index + 1:]:
                if not more.strip():
                    break
                usage.append(more[len("       "):] if more.startswith("       ") else more.strip())
            return "\n".join(usage)
    return None


def synopsis_item(argument):
    value = argument.get("valueName", "value")
    if argument["kind"] == "positional":
        text = f"\\fI{roff_escape(value)}\\fR" + (" ..." if argument.get("isRepeating") else "")
    else:
        preferred = argument.get("preferredName") or argument["names"][0]
        text = f"\\fB{roff_escape(spelled(preferred))}\\fR"
        if argument["kind"] == "option":
            text += f" \\fI{roff_escape(value)}\\fR"
        if argument.get("isRepeating"):
            text += " ..."
    return f"[{text}]" if argument.get("isOptional", False) else text


def paragraphs(text):
    """Discussion text as roff: an unindented line in capitals starts a section (.SH); blank
    lines separate paragraphs; indented lines keep their layout (.nf), as --help shows them."""
    out = []
    block = []

    def flush():
        if not block:
            return
        if all(line.startswith(" ") or not line.strip() for line in block):
            out.append(".PP\n.nf\n.RS 4")
            width = min(len(line) - len(line.lstrip()) for line in block if line.strip())
            out.extend(roff_line(line[width:]) for line in block)
            out.append(".RE\n.fi")
        else:
            # A line break in the declaration is a break in the page (long lines are one line
            # there, continued with \ in the Swift source).
            out.append(".PP")
            out.append("\n.br\n".join(roff_line(line.strip()) for line in block))
        block.clear()

    for line in text.split("\n"):
        if not line.strip():
            flush()
        elif re.fullmatch(r"[A-Z][A-Z ]+", line):
            flush()
            out.append(f".SH {roff_escape(line)}")
        elif block and (line.startswith(" ") != block[-1].startswith(" ")):
            flush()
            block.append(line)
        else:
            block.append(line)
    flush()
    return out


def command_page(binary, outfile):
    dump = json.loads(run(binary, "--experimental-dump-help"))
    if dump.get("serializationVersion") != 0:
        fail(f"{binary} --experimental-dump-help is version {dump.get('serializationVersion')}, this script reads 0")
    command = dump["command"]
    name = command["commandName"]
    arguments = command.get("arguments") or []
    if not arguments:
        fail(f"{binary} declares no arguments: not the command this script expects")
    version = run(binary, "--version").strip()
    shown = [a for a in arguments if a.get("shouldDisplay", True)]

    lines = [
        f'.TH "{roff_escape(name.upper())}" "1" "{page_date()}" "{roff_escape(version)}" "User Commands"',
        ".SH NAME",
        f"{roff_escape(name)} \\- {roff_line(command.get('abstract', ''))}",
        ".SH SYNOPSIS",
    ]
    # The usage lines the command declares (mediash's list its invocation forms); the dump of
    # this swift-argument-parser version leaves them out, so they are read from --help's USAGE.
    usage = command.get("usage") or help_usage(run(binary, "--help"))
    if usage:
        lines.append(".nf")
        lines.extend(roff_line(line) for line in usage.split("\n"))
        lines.append(".fi")
    else:
        lines.append(f".B {roff_escape(name)}")
        lines.extend(synopsis_item(a) for a in shown)
    lines.append(".SH DESCRIPTION")
    lines.append(roff_line(command.get("abstract", "")))
    discussion = command.get("discussion", "")
    body = paragraphs(discussion)
    # Sections the discussion names itself (BACKEND, FILES, EXIT STATUS) come after OPTIONS.
    first_section = next((i for i, line in enumerate(body) if line.startswith(".SH ")), len(body))
    lines.extend(body[:first_section])

    lines.append(".SH OPTIONS")
    for argument in shown:
        value = argument.get("valueName", "value")
        if argument["kind"] == "positional":
            tag = f"\\fI{roff_escape(value)}\\fR" + (" ..." if argument.get("isRepeating") else "")
        else:
            names = ", ".join(f"\\fB{roff_escape(spelled(n))}\\fR" for n in argument.get("names", []))
            tag = names + (f" \\fI{roff_escape(value)}\\fR" if argument["kind"] == "option" else "")
        lines.append(".TP")
        lines.append(tag)
        help_text = argument.get("abstract", "")
        if argument.get("defaultValue") not in (None, "", "false") and argument["kind"] == "option":
            help_text += f" (default: {argument['defaultValue']})"
        if argument.get("allValues") and argument["kind"] == "option":
            help_text += f" (values: {', '.join(argument['allValues'])})"
        lines.append(roff_line(help_text) if help_text else "")
        if argument.get("discussion"):
            lines.extend(paragraphs(argument["discussion"]))
    lines.extend(body[first_section:])
    lines.append(".SH SEE ALSO")
    others = {"mediash": ["media\\-server (1)", "mediash\\-language (7)"],
              "media-server": ["mediash (1)", "mediash\\-language (7)"]}.get(name, [])
    lines.append(", ".join(f"\\fB{o.split(' ')[0]}\\fR{o.split(' ')[1]}" for o in others) if others else "")
    write(outfile, lines)


INLINE = [
    (re.compile(r"\*\*(.+?)\*\*"), lambda m: f"\\fB{m.group(1)}\\fR"),
    (re.compile(r"(?<![\w*])\*([^*\s][^*]*?)\*(?![\w*])"), lambda m: f"\\fI{m.group(1)}\\fR"),
    (re.compile(r"\[([^\]]+)\]\(([^)]+)\)"), lambda m: f"{m.group(1)} ({m.group(2)})"),
]


def inline(text):
    """Markdown inline markup as roff: `code` and **bold** bold, *emphasis* italic, links as
    TEXT (URL). Code spans are escaped as they are, never read as markup."""
    parts = re.split(r"(`+)(.+?)\1", text)
    out = []
    # re.split with two groups yields: text, ticks, code, text, ticks, code, ...
    i = 0
    while i < len(parts):
        plain = roff_escape(parts[i])
        for pattern, replace in INLINE:
            plain = pattern.sub(replace, plain)
        out.append(plain)
        if i + 2 < len(parts):
            out.append(f"\\fB{roff_escape(parts[i + 2].strip())}\\fR")
        i += 3
    line = "".join(out)
    return "\\&" + line if line.startswith((".", "'")) else line


def split_row(row):
    """A Markdown table row's cells; a | inside `code`, or written \\|, is part of the cell."""
    cells, cell, ticks = [], "", False
    for character in row.strip().strip("|") if row.strip().endswith("|") else row.strip().lstrip("|"):
        if character == "`":
            ticks = not ticks
        if character == "|" and cell.endswith("\\"):
            cell = cell[:-1] + "|"  # Markdown's \| is a | inside a cell
        elif character == "|" and not ticks:
            cells.append(cell.strip())
            cell = ""
        else:
            cell += character
    cells.append(cell.strip())
    return cells


def table_cell(cell):
    """A tbl cell: a short one as it is (tbl makes its column as wide as it needs, so a long
    code word is never squeezed into a text block too narrow for it), a long one as a text
    block tbl fills to the room left."""
    text = inline(cell)
    if not text:
        return "\\&"
    return text if len(cell) <= 40 else f"T{{\n{text}\nT}}"


def language_page(markdown, outfile, version):
    source = open(markdown, encoding="utf-8").read().split("\n")
    lines = [
        "'\\\" t",
        f'.TH "MEDIASH\\-LANGUAGE" "7" "{page_date()}" "{roff_escape(version)}" "Miscellaneous Information Manual"',
        ".SH NAME",
        "mediash\\-language \\- the mediash pipeline language",
    ]
    i = 0
    in_list = False
    while i < len(source):
        line = source[i]
        if line.startswith("<!--"):
            i += 1
            continue
        if line.startswith("# "):
            i += 1
            continue
        heading = re.match(r"(#{2,6}) (.*)", line)
        if heading:
            level = len(heading.group(1))
            text = inline(heading.group(2))
            # Not upper-cased: that would turn a code span's \\fB into \\FB (and `let` into LET).
            lines.append(f".SH {text}" if level == 2 else f".SS {text}")
            in_list = False
            i += 1
            continue
        fence_open = re.fullmatch(r"(`{3,})[^`]*", line)
        if fence_open:
            fence = fence_open.group(1)
            lines.append(".PP\n.nf\n.RS 4")
            i += 1
            while i < len(source) and not source[i].startswith(fence):
                lines.append(roff_line(source[i]))
                i += 1
            lines.append(".RE\n.fi")
            i += 1
            continue
        if line.startswith("    ") and (not lines or not in_list or not line.strip().startswith(("-", "*"))):
            block = []
            while i < len(source) and (source[i].startswith("    ") or (not source[i].strip() and i + 1 < len(source) and source[i + 1].startswith("    "))):
                block.append(source[i][4:])
                i += 1
            lines.append(".PP\n.nf\n.RS 4")
            lines.extend(roff_line(b) for b in block)
            lines.append(".RE\n.fi")
            in_list = False
            continue
        if line.startswith("|"):
            rows = []
            while i < len(source) and source[i].startswith("|"):
                if not re.fullmatch(r"\|?[\s:|-]+\|?", source[i]):
                    rows.append(split_row(source[i]))
                i += 1
            columns = max(len(r) for r in rows)
            lines.append(".PP")
            lines.append(".TS")
            lines.append("allbox tab(\t);")
            lines.append(" ".join(["lb"] * columns))  # the header row
            lines.append(" ".join(["l"] * (columns - 1) + ["lx"]) + ".")
            for row in rows:
                row = row + [""] * (columns - len(row))
                lines.append("\t".join(table_cell(cell) for cell in row))
            lines.append(".TE")
            in_list = False
            continue
        bullet = re.match(r"(\s*)[-*] (.*)", line)
        if bullet:
            # An item and its indented continuation lines, joined first so a `code` span
            # broken over two lines stays one span.
            item = [bullet.group(2)]
            i += 1
            while i < len(source) and source[i].startswith("  ") and source[i].strip() and not re.match(r"\s*[-*] ", source[i]):
                item.append(source[i].strip())
                i += 1
            lines.append(".IP \\(bu 2")
            lines.append(inline(" ".join(item)))
            in_list = True
            continue
        if not line.strip():
            in_list = False if not (i + 1 < len(source) and source[i + 1].startswith("  ")) else in_list
            i += 1
            continue
        if in_list and line.startswith("  "):
            lines.append(inline(line.strip()))
            i += 1
            continue
        # A paragraph: its lines until a blank line or another block.
        paragraph = []
        while i < len(source) and source[i].strip() and not re.match(r"(#{1,6} |\||\s*[-*] |    )", source[i]) \
                and not re.fullmatch(r"`{3,}[^`]*", source[i]):
            paragraph.append(source[i].strip())
            i += 1
        lines.append(".PP")
        lines.append(inline(" ".join(paragraph)))
    lines.append(".SH SEE ALSO")
    lines.append("\\fBmediash\\fR(1), \\fBmedia\\-server\\fR(1)")
    write(outfile, lines)


def write(outfile, lines):
    text = "\n".join(line for line in lines) + "\n"
    if outfile == "-":
        sys.stdout.write(text)
        return
    temporary = outfile + ".new"
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(temporary, outfile)


def main(argv):
    if len(argv) == 4 and argv[1] == "command":
        command_page(argv[2], argv[3])
    elif len(argv) == 5 and argv[1] == "language":
        language_page(argv[2], argv[3], argv[4])
    else:
        print("usage: manpages.py command BINARY OUTFILE | manpages.py language MARKDOWN OUTFILE VERSION",
              file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
