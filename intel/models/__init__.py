"""Intel models, one module per concern; import them from here."""

from .attachments import Attachment, PrivateStorage
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
    "DuplicateCluster",
    "FieldReport",
    "IntelligenceRequirement",
    "Kind",
    "Language",
    "Priority",
    "PrivateStorage",
    "RequirementAnswer",
    "ReviewApproval",
    "Status",
    "SupplyChainStage",
    "TagKind",
    "TagSource",
    "TaxonomyKind",
    "TaxonomyLabel",
    "TaxonomyTerm",
]
