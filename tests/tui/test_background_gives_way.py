"""The search index's build, in a thread of the app, waits while the user's keys are answered.

Keys are answered with the interpreter to themselves (readlist.app.foreground): the app tells its
``Foreground`` of every key, and the build it starts calls ``give_way`` between its steps.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tui_helpers import SIZE

from readlist.tui.app import ReadlistApp

MakeApp = Callable[..., ReadlistApp]


async def test_every_key_is_told_to_the_foreground(small_library: Path, make_app: MakeApp) -> None:
    app = make_app(small_library)
    told: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        app.foreground.key_pressed = lambda: told.append("key")  # type: ignore[method-assign]
        await pilot.press("j", "j", "k")
        await pilot.pause()
    assert told == ["key", "key", "key"]


async def test_the_index_build_is_started_with_the_foreground_s_give_way(small_library: Path,
                                                                         make_app: MakeApp) -> None:
    app = make_app(small_library)
    given: list[object] = []
    app.session.views.warm_search = given.append  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(40):  # the build starts a second after the library is shown
            await pilot.pause(0.05)
            if given:
                break
    assert given == [app.foreground.give_way]
