"""Intel models, one module per concern; import them from here."""

from intel.models.alerts import (
    Alert,
    AlertStatus,
    Watch,
    WatchFrequency,
    WatchTerm,
    WatchTermKind,
)
from intel.models.attachments import Attachment, PrivateStorage
from intel.models.boardbrief import BoardBrief
from intel.models.briefings import (
    BriefingContent,
    BriefingWeek,
    Delivery,
    DeliveryStatus,
    Subscription,
    SubscriptionStatus,
)
from intel.models.contributions import (
    Attribution,
    CaseStudy,
    CompanySize,
    Contribution,
    ContributionCountry,
    ContributionEdit,
    ContributionSector,
    ContributionSignal,
    FieldReport,
    Kind,
    Language,
    Status,
    SupplyChainStage,
)
from intel.models.digests import Digest, DigestItem, DigestStatus, SectorAssessment, SectorClass
from intel.models.impact import (
    Acknowledgement,
    AcknowledgementKind,
    Contradiction,
    ImpactSummary,
    SummaryStatus,
)
from intel.models.library import CaseStudyCuration
from intel.models.partners import PartnerSource
from intel.models.requirements import IntelligenceRequirement, Priority, RequirementAnswer
from intel.models.review import Comment, ContributionRevision, ReviewApproval
from intel.models.rollups import WeekCount, WeekRollupDirty, WeekRollupState
from intel.models.search import SavedSearch
from intel.models.tagging import (
    ContributionBand,
    ContributionFingerprint,
    ContributionTag,
    DuplicateCluster,
    TaggerModel,
    TagKind,
    TagSource,
    TaxonomyKind,
    TaxonomyLabel,
    TaxonomyTerm,
)

__all__ = [
    "Acknowledgement",
    "AcknowledgementKind",
    "Alert",
    "AlertStatus",
    "Attachment",
    "Attribution",
    "BoardBrief",
    "BriefingContent",
    "BriefingWeek",
    "CaseStudy",
    "CaseStudyCuration",
    "Comment",
    "CompanySize",
    "Contradiction",
    "Contribution",
    "ContributionBand",
    "ContributionCountry",
    "ContributionEdit",
    "ContributionFingerprint",
    "ContributionRevision",
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
    "ImpactSummary",
    "IntelligenceRequirement",
    "Kind",
    "Language",
    "PartnerSource",
    "Priority",
    "PrivateStorage",
    "RequirementAnswer",
    "ReviewApproval",
    "SavedSearch",
    "SectorAssessment",
    "SectorClass",
    "Status",
    "Subscription",
    "SubscriptionStatus",
    "SummaryStatus",
    "SupplyChainStage",
    "TagKind",
    "TagSource",
    "TaggerModel",
    "TaxonomyKind",
    "TaxonomyLabel",
    "TaxonomyTerm",
    "Watch",
    "WatchFrequency",
    "WatchTerm",
    "WatchTermKind",
    "WeekCount",
    "WeekRollupDirty",
    "WeekRollupState",
]
