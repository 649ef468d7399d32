"""Intel models, one module per concern; import them from here."""

from .attachments import Attachment, PrivateStorage
from .briefings import (
    BriefingWeek,
    Delivery,
    DeliveryStatus,
    Subscription,
    SubscriptionStatus,
)
from .contributions import (
    Attribution,
    CaseStudy,
    CompanySize,
    Contribution,
    ContributionCountry,
    ContributionSector,
    ContributionSignal,
    FieldReport,
    Kind,
    Language,
    Status,
    SupplyChainStage,
)
from .digests import Digest, DigestItem, DigestStatus, SectorAssessment, SectorClass
from .requirements import IntelligenceRequirement, Priority, RequirementAnswer
from .review import Comment, ReviewApproval
from .tagging import (
    ContributionBand,
    ContributionFingerprint,
    ContributionTag,
    DuplicateCluster,
    TagKind,
    TagSource,
    TaxonomyKind,
    TaxonomyLabel,
    TaxonomyTerm,
)

__all__ = [
    "Attachment",
    "Attribution",
    "BriefingWeek",
    "CaseStudy",
    "Comment",
    "CompanySize",
    "Contribution",
    "ContributionBand",
    "ContributionCountry",
    "ContributionFingerprint",
    "ContributionSector",
    "ContributionSignal",
    "ContributionTag",
    "Delivery",
    "DeliveryStatus",
    "Digest",
    "DigestItem",
    "DigestStatus",
    "DuplicateCluster",
    "FieldReport",
    "IntelligenceRequirement",
    "Kind",
    "Language",
    "Priority",
    "PrivateStorage",
    "RequirementAnswer",
    "ReviewApproval",
    "SectorAssessment",
    "SectorClass",
    "Status",
    "Subscription",
    "SubscriptionStatus",
    "SupplyChainStage",
    "TagKind",
    "TagSource",
    "TaxonomyKind",
    "TaxonomyLabel",
    "TaxonomyTerm",
]
