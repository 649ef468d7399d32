"""factory_boy factories for tagging results: tags, near-duplicate clusters, fingerprints.

They write what the tagging task would leave behind without running it, so
a test fixes exactly which tags and clusters exist; tests of the task itself
submit reports and let it run.
"""

from __future__ import annotations

import factory

from intel.models import ContributionFingerprint, ContributionTag, DuplicateCluster


class ContributionTagFactory(factory.django.DjangoModelFactory):
    """An automatic tag of `contribution=` (required), with the evidence it was given for."""

    class Meta:
        model = ContributionTag

    kind = "signal"
    slug = "export-control"
    source = "auto"
    score = 1.0
    spans = factory.LazyFunction(
        lambda: [{"field": "body", "start": 0, "end": 14, "text": "export control"}]
    )


class DuplicateClusterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DuplicateCluster


class ContributionFingerprintFactory(factory.django.DjangoModelFactory):
    """The tagging state of `contribution=` (required), in a fresh cluster unless `cluster=`."""

    class Meta:
        model = ContributionFingerprint

    signature = b""
    cluster = factory.SubFactory(DuplicateClusterFactory)
