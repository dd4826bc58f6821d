"""Benchmarks of the one-process design: what it costs and what it saves.

``python -m bench`` (``make bench``) measures seven figures and writes them
to ``bench/results/``: a Markdown table and a plot of the latency
distributions. The machine is assumed to be shared and noisy, so every figure
is a ratio of two things measured side by side in the same run, interleaved
over repeated rounds, and the median over the rounds is quoted.

Figures that need real servers run gunicorn on loopback ports with
``gunicorn.conf.py``, and load them with locust, headless and bounded in time.
"""

import os

# Importing ``wsgi`` builds the service from this process's environment. The
# bench builds the apps it measures itself, so that one need only start: in
# development mode, which fills in every secret, and with Queue off.
os.environ.update(RAPTOR_ENV="development", QUEUE_ENV="development")
os.environ["FLAG_QUEUE_V1"] = "0"
