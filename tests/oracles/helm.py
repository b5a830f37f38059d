"""Drives the Helm v4 engine bundled in helm-python-sdk (PyPI) for fabgen's chart tests.

Usage: python helm.py COMMAND CHART_DIR [ARGS...]; prints one JSON document.
  render CHART_DIR NAME NAMESPACE [VALUES_JSON]  -> {"manifests": {template: text}} or {"error": msg}
  lint CHART_DIR NAMESPACE                       -> the lint report
  validate CHART_DIR VALUES_JSON                 -> {"ok": true} or {"error": msg}
  set CHART_DIR NAME NAMESPACE EXPR              -> like render, values from a --set expression
"""
import json
import sys

import helm_python as helm


def render(chart_dir, name, namespace, values):
    try:
        with helm.Chart.load(chart_dir) as chart:
            return {"manifests": chart.render(values, name=name, namespace=namespace, is_install=True)}
    except helm.HelmError as err:  # template failures and schema rejections alike
        return {"error": str(err)}


def main(argv):
    command, chart_dir = argv[1], argv[2]
    if command == "render":
        values = json.loads(argv[5]) if len(argv) > 5 else None
        result = render(chart_dir, argv[3], argv[4], values)
    elif command == "set":
        result = render(chart_dir, argv[3], argv[4], helm.parse_set_string(argv[5]))
    elif command == "lint":
        result = helm.lint(chart_dir, namespace=argv[3], strict=True)
    elif command == "validate":
        try:
            with helm.Chart.load(chart_dir) as chart:
                chart.validate_schema(json.loads(argv[3]))
            result = {"ok": True}
        except helm.HelmError as err:
            result = {"error": str(err)}
    else:
        raise SystemExit(f"unknown command {command}")
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main(sys.argv)
