"""Taxonomy in the database, automatic and analyst tags, near-duplicate clusters.

The taxonomy (labels and their terms) is seeded from the shipped
`intel/tagging/default_taxonomy.json` by a data migration and edited in the
admin; `intel.tagging.runtime` turns it into the pure engine's `Taxonomy`.

A contribution's tags are rows of `ContributionTag`: `auto` rows are rewritten
by the tagging task on every (re)submission; `analyst` rows record an
analyst's correction (added, or `removed=True` for an automatic tag the
analyst struck out) and are never touched by the task. Corrections feed back
into term weights (see `intel.tagging.runtime.feedback_overrides`).

Near-duplicates: each tagged contribution stores its MinHash signature and
one `ContributionBand` row per LSH band, so candidates are found with an
index lookup on (band, key). Matching contributions share a `DuplicateCluster`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class TagKind(models.TextChoices):
    SECTOR = "sector", _("Sector")
    SIGNAL = "signal", _("Signal")
    COUNTRY = "country", _("Country")
    COMMODITY = "commodity", _("Commodity / technology")
    STAGE = "stage", _("Supply-chain stage")


class TaxonomyKind(models.TextChoices):
    """Label families of the engine (`intel.tagging.taxonomy.KINDS`) plus ignore phrases."""

    SECTORS = "sectors", _("Sector")
    SIGNALS = "signals", _("Signal")
    COMMODITIES = "commodities", _("Commodity / technology")
    STAGES = "stages", _("Supply-chain stage")
    COUNTRIES = "countries", _("Country")
    BLOCS = "blocs", _("Supranational bloc (never a country)")
    IGNORE = "ignore", _("Phrases to ignore")


class TaxonomyLabel(models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=TaxonomyKind)
    slug = models.CharField(_("slug"), max_length=64)
    label_en = models.CharField(_("English label"), max_length=200, blank=True)
    label_ja = models.CharField(_("Japanese label"), max_length=200, blank=True)
    sectors = models.JSONField(
        _("sectors"),
        default=list,
        blank=True,
        help_text=_("Commodities only: the sector slugs a mention counts towards, in order."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("taxonomy label")
        verbose_name_plural = _("taxonomy labels")
        ordering = ["kind", "slug"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "slug"], name="intel_taxlabel_kind_slug"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.label_en or self.slug}"


class TaxonomyTerm(models.Model):
    class Lang(models.TextChoices):
        EN = "en", _("English")
        JA = "ja", _("Japanese")

    label = models.ForeignKey(TaxonomyLabel, on_delete=models.CASCADE, related_name="terms")
    text = models.CharField(_("term"), max_length=200)
    lang = models.CharField(_("language"), max_length=2, choices=Lang)
    weight = models.FloatField(_("weight"), default=1.0)
    case_sensitive = models.BooleanField(_("case-sensitive"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("taxonomy term")
        verbose_name_plural = _("taxonomy terms")
        ordering = ["label", "lang", "text"]
        constraints = [
            models.UniqueConstraint(
                fields=["label", "lang", "text"], name="intel_taxterm_label_lang_text"
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=0) & Q(weight__lte=10), name="intel_taxterm_weight_range"
            ),
        ]

    def __str__(self) -> str:
        return self.text


class TagSource(models.TextChoices):
    AUTO = "auto", _("Automatic")
    ANALYST = "analyst", _("Analyst")


class ContributionTag(models.Model):
    contribution = models.ForeignKey(
        "intel.Contribution", on_delete=models.CASCADE, related_name="tags"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=TagKind)
    slug = models.CharField(_("tag"), max_length=64)
    source = models.CharField(_("source"), max_length=8, choices=TagSource)
    # Analyst rows only: True when the analyst struck out an automatic tag.
    removed = models.BooleanField(_("removed"), default=False)
    score = models.FloatField(_("score"), null=True, blank=True)
    # Why an automatic tag was given: [{"field", "start", "end", "text"}, …].
    spans = models.JSONField(_("evidence"), default=list, blank=True)
    # The learned layer's view of an automatic tag: probability, which rule gave
    # the tag (lexicon, model or both) and the n-grams that raised it most.
    model_evidence = models.JSONField(_("model evidence"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["kind", "-score", "slug"]
        indexes = [
            models.Index(fields=["kind", "slug", "source"], name="intel_tag_kind_slug_idx"),
            # Analysts' corrections are few among millions of automatic tags;
            # workers poll them (taxonomy_revision), so they get their own index.
            models.Index(
                fields=["created_at"], condition=Q(source="analyst"), name="intel_tag_analyst_idx"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["contribution", "kind", "slug", "source"], name="intel_tag_unique"
            ),
            models.CheckConstraint(
                condition=Q(source="analyst") | Q(removed=False), name="intel_tag_auto_not_removed"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.slug} ({self.source})"


class DuplicateCluster(models.Model):
    """Contributions that say nearly the same thing."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("duplicate cluster")
        verbose_name_plural = _("duplicate clusters")

    def __str__(self) -> str:
        return f"cluster {self.pk}"


class ContributionFingerprint(models.Model):
    """Tagging state of one contribution: signature, cluster, taxonomy version used."""

    contribution = models.OneToOneField(
        "intel.Contribution", on_delete=models.CASCADE, related_name="fingerprint"
    )
    signature = models.BinaryField(_("MinHash signature"))
    # Digest of the normalised text the signature was computed from: re-tagging
    # an unchanged text reuses the signature instead of computing it again.
    text_digest = models.BinaryField(_("text digest"), null=True, blank=True)
    # Digest of the text and of the automatic tag rows last written for it
    # (intel.tagging.services): re-tagging that derives the same digest leaves
    # those rows as they are without reading them. Whatever else writes
    # automatic tag rows must set this to NULL.
    tags_digest = models.BinaryField(_("automatic tags digest"), null=True, blank=True)
    cluster = models.ForeignKey(
        DuplicateCluster,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
    )
    similarity = models.FloatField(_("similarity to the cluster"), null=True, blank=True)
    taxonomy_version = models.CharField(_("taxonomy version"), max_length=64, blank=True)
    # Language-independent anchors (intel.tagging.events) for cross-language links.
    event = models.JSONField(_("event anchors"), default=dict, blank=True)
    tagged_at = models.DateTimeField(_("tagged at"), null=True, blank=True)

    class Meta:
        verbose_name = _("contribution fingerprint")
        verbose_name_plural = _("contribution fingerprints")
        indexes = [
            models.Index(fields=["taxonomy_version"], name="intel_fp_version_idx"),
            # The clustered few (about one in twelve), by contribution: a week's
            # clustered reports are one range of this small index.
            models.Index(
                fields=["contribution"],
                include=["cluster"],
                condition=Q(cluster__isnull=False),
                name="intel_fp_clustered",
            ),
        ]

    def __str__(self) -> str:
        return f"fingerprint of {self.contribution_id}"


class ContributionBand(models.Model):
    """One LSH band key of a contribution's signature."""

    contribution = models.ForeignKey(
        "intel.Contribution", on_delete=models.CASCADE, related_name="bands"
    )
    band = models.PositiveSmallIntegerField()
    key = models.BigIntegerField()

    class Meta:
        # The contribution rides in the index: finding a batch's candidates is
        # then an index-only scan, without a visit to the table per band row.
        indexes = [
            models.Index(
                fields=["band", "key"], include=["contribution"], name="intel_band_key_inc"
            )
        ]
        constraints = [
            models.UniqueConstraint(fields=["contribution", "band"], name="intel_band_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.contribution_id}/{self.band}"


class TaggerModel(models.Model):
    """One trained version of the tagger's learned layer (`intel.tagging.learned`).

    Versioned like the taxonomy: workers load the newest row and switch when a
    newer one appears. `blob` is the model as gzip-compressed JSON (never
    pickle), so reading it can yield only numbers and strings.
    """

    version = models.PositiveIntegerField(_("version"), unique=True)
    trained_at = models.DateTimeField(_("trained at"))
    training_size = models.PositiveIntegerField(_("training examples"))
    contributions = models.PositiveIntegerField(_("analyst-classified contributions"), default=0)
    corrected = models.PositiveIntegerField(_("contributions with analyst corrections"), default=0)
    metrics = models.JSONField(_("cross-validated metrics"), default=dict, blank=True)
    digest = models.CharField(_("training-set digest"), max_length=64)
    blob = models.BinaryField(_("model"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("tagger model")
        verbose_name_plural = _("tagger models")
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"tagger model v{self.version}"
