"""``sim app``: the analyst's workbench, a local what-if web app.

One page served by the standard library's HTTP server on 127.0.0.1: pick a scenario of the
folder, flip levers, move any parameter's centre and spread, rerun baseline and variant with
common random numbers, compare, download the variant as an ``extends:`` YAML file.

Modules: :mod:`.files` (the only way from a browser request to a file: names listed in the
scenario folder), :mod:`.controls` (parameters as sliders and back), :mod:`.variant` (the
``extends:`` YAML), :mod:`.jobs` (background runs with progress), :mod:`.summary` (cards and
figures as JSON), :mod:`.page` (the HTML page), :mod:`.server` (HTTP routes).
"""
