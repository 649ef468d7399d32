"""`manage.py benchmark NAME`: run one benchmark, print progress, end with one JSON line."""

from __future__ import annotations

import argparse
import importlib
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from intel.benchmarks import REGISTRY


class Command(BaseCommand):
    help = "Run a benchmark (" + ", ".join(REGISTRY) + "); the last line printed is JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        subparsers = parser.add_subparsers(dest="name", required=True, metavar="NAME")
        for name, module_path in REGISTRY.items():
            module = importlib.import_module(module_path)
            sub = subparsers.add_parser(
                name,
                help=(module.__doc__ or "").strip().splitlines()[0],
                formatter_class=argparse.ArgumentDefaultsHelpFormatter,
                # Django's error handling for sub-commands: raise, don't exit.
                called_from_command_line=getattr(parser, "called_from_command_line", None),
            )
            module.add_arguments(sub)

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["name"]
        if name not in REGISTRY:
            raise CommandError(f"unknown benchmark {name!r}; choose from {sorted(REGISTRY)}")
        module = importlib.import_module(REGISTRY[name])
        figures = module.run(stdout=self.stdout, options=options)
        self.stdout.write(json.dumps({"benchmark": name, **figures}, sort_keys=True))
