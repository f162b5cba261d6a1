"""``python -m readlist``: the readlist command.

git runs the merge driver (``python -m readlist merge-driver %O %A %B %P``, see ``readlist sync init``) once
per merge of the library file; it starts without loading the rest of the command line, which it does not
need. Every other use goes to the click command, where ``merge-driver`` is the same verb.
"""

import sys


def _run() -> None:
    if sys.argv[1:2] == ["merge-driver"]:
        from readlist.app.sync import run_merge_driver

        raise SystemExit(run_merge_driver(sys.argv[2:]))
    from readlist.cli import run

    run()


if __name__ == "__main__":
    _run()
