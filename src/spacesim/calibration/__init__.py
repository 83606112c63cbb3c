"""Calibration: fit rule parameters to observed patterns by ABC-SMC (pyabc).

A layer beside :mod:`spacesim.analysis`: it may import scenario, model,
output and experiment; nothing below it imports it. One module per idea:

- :mod:`.spec`: the calibration file (YAML), validated like scenarios;
- :mod:`.priors`: uniform, log-uniform and truncated-normal priors;
- :mod:`.patterns`: observed patterns, what a run is compared on, distances;
- :mod:`.simulate`: one run of the model reduced to what the patterns need;
- :mod:`.runner`: ABC-SMC with pyabc (samplers, resume, progress);
- :mod:`.results`: the result folder (manifest, posterior, fit);
- :mod:`.plots` and :mod:`.report`: figures and the report page.
"""
