"""The terminal UI: ``readlist`` with no sub-command runs :func:`readlist.tui.app.run_app`.

Layout: ``app.py`` (the app factory and the thin App), ``bindings.py`` (every key),
``messages.py`` (what screens and the app tell each other), ``screens/`` and ``widgets/``.
"""

import os

# The most frames a second Textual draws (read once, when Textual is first imported, which this package does
# after this line). A frame is drawn only when something changed, but at Textual's default of 60 a change
# asked for just after a frame waits for the next 17 ms slot: a search keystroke takes two frames (the typed
# character, then the list) and so waited a whole slot. At 240 the wait is 4 ms. Measured in the app at
# 10,000 papers (bench/run): search keystroke to list on screen, median 43 -> 22 ms; start-up, triage keys
# and idle CPU unchanged; the one cost is CPU while keys arrive faster than 60 a second (each key gets its
# own frame: 150 keys at 100 a second, 1.6 -> 2.8 s of CPU, with the screen no later after the last key).
# A value the user set is kept.
os.environ.setdefault("TEXTUAL_FPS", "240")
