"""The demo tests' HTTP client: one POST to the prediction endpoint."""

import json
import urllib.error
import urllib.request


def post(url, body, query="model=center_bias", timeout=120):
    """(status, JSON answer) of ``POST {url}api/predict?{query}`` with ``body``."""
    request = urllib.request.Request(f"{url}api/predict?{query}", data=body, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)
