"""The teaching dashboard: a Solara app built on Mesa's SolaraViz.

``spacesim dashboard [SCENARIO.yaml] [--port P]`` serves :func:`spacesim.viz.app.Page`.
One module per idea:

- :mod:`~spacesim.viz.scenarios`  the scenario picker's catalogue (shipped files and one-line descriptions)
- :mod:`~spacesim.viz.controls`   sliders and switches generated from :data:`spacesim.parameters.PARAMETERS`
- :mod:`~spacesim.viz.session`    what the teacher has chosen for the next Reset, and the model it builds
- :mod:`~spacesim.viz.components` the network, the trust heatmap, the outcome plots, "what just happened"
- :mod:`~spacesim.viz.shocks`     buttons that make an event happen now
- :mod:`~spacesim.viz.app`        the page that puts them together around SolaraViz
- :mod:`~spacesim.viz.server`     starting and stopping the Solara server
"""
