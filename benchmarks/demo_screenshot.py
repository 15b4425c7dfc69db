"""The README's demo screenshot: the demo page in headless Chromium with two models side by side.

    PYTHONPATH=. python benchmarks/demo_screenshot.py --output docs/demo.png

Starts `keras_saliency.demo.DemoServer` on a free port, opens it in Debian's ``chromium``
(Playwright, no browser download), uploads ``--image``, picks ``--models`` and saves a
screenshot of the page once the results are shown.
"""

import argparse
import shutil
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "demo"))

from test_demo_browser import CHROMIUM_FLAGS  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--image", default=str(ROOT / "examples" / "images" / "chelsea_cat.jpg"))
    parser.add_argument("--models", nargs=2, default=["deepgaze_iie_lite0_lite1_lite2_mit1003",
                                                      "unisal_lite0_mit1003_osie"])
    parser.add_argument("--output", required=True)
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    from keras_saliency.demo import DemoServer

    server = DemoServer(("127.0.0.1", 0), default_model=args.models[0])
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as playwright, tempfile.TemporaryDirectory() as profile:
            context = playwright.chromium.launch_persistent_context(
                profile, executable_path=shutil.which("chromium"), headless=True, args=CHROMIUM_FLAGS,
                viewport={"width": 1280, "height": 640})
            page = context.new_page()
            page.goto(server.url)
            page.wait_for_function("document.querySelectorAll('#modelB option').length > 2")
            page.select_option("#modelA", args.models[0])
            page.select_option("#modelB", args.models[1])
            page.set_input_files("#file", args.image)
            page.wait_for_function("document.body.dataset.state", timeout=600_000)
            if page.evaluate("document.body.dataset.state") != "done":
                raise SystemExit(page.locator("#error").inner_text())
            page.screenshot(path=args.output, full_page=True)
            context.close()
    finally:
        server.shutdown()
        server.server_close()
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
