"""Small fixes: ACM issuance offline (one issuing key per process), IAM managed policies loaded once,
EventBridge rules in the tagging API's index."""
from __future__ import annotations

import copy
import threading


def apply() -> None:
    _moto_time_is_the_backend_clock()
    _acm_issues_at_once()
    _acm_issuing_key_made_once()
    _iam_managed_policies_loaded_once()
    _event_rules_in_get_resources()


def _acm_issues_at_once() -> None:
    """ACM RequestCertificate: DNS validation cannot happen offline, so a requested certificate is
    ISSUED at once instead of after moto's 60 s PENDING_VALIDATION wait."""
    from moto import settings

    settings.ACM_VALIDATION_WAIT = -1  # moto checks "waited > wait"; a stopped test clock waits 0 s


def _acm_issuing_key_made_once() -> None:
    """ACM RequestCertificate: moto makes a new 2048-bit RSA key for every certificate ACM issues and
    then re-validates the PEM it just wrote (~75 ms together: a third of every reset, which requests the
    seeded certificate again). ACM keeps an issued certificate's private key to itself (botocore `acm
    ExportCertificate`: only with a passphrase, for private-CA or exportable public certificates, which
    ecsship never uses), so the local AWS makes one key per process and signs every issued certificate
    with it; each certificate is still its own (subject, names, serial, ARN). Imported keys
    (ImportCertificate) are validated as before."""
    from cryptography.hazmat.primitives.asymmetric import rsa
    from moto.acm.models import CertBundle

    original_generate = CertBundle.generate_cert.__func__
    original_validate = CertBundle.validate_pk
    made: dict = {}
    lock = threading.Lock()

    def make_once(*args, **kwargs):
        if "key" not in made:
            made["key"] = original_rsa(*args, **kwargs)
        return made["key"]

    original_rsa = rsa.generate_private_key

    def generate_cert(cls, *args, **kwargs):
        with lock:  # rsa.generate_private_key is swapped only while ACM issues, for ACM alone
            rsa.generate_private_key = make_once
            try:
                bundle = original_generate(cls, *args, **kwargs)
            finally:
                rsa.generate_private_key = original_rsa
        return bundle

    def validate_pk(self):
        if made.get("pem") is not None and self.key == made["pem"]:
            return made["loaded"]
        loaded = original_validate(self)
        if "key" in made and "pem" not in made and _same_key(loaded, made["key"]):
            made["pem"], made["loaded"] = self.key, loaded
        return loaded

    CertBundle.generate_cert = classmethod(generate_cert)
    CertBundle.validate_pk = validate_pk


def _same_key(loaded, key) -> bool:
    try:
        return loaded.private_numbers() == key.private_numbers()
    except AttributeError:  # not an RSA key
        return False


def _iam_managed_policies_loaded_once() -> None:
    """IAM: AWS-managed policies exist in every account (MOTO_IAM_LOAD_MANAGED_POLICIES=true), but
    moto parses all ~1,300 of them for every IAM backend it creates (0.17 s each, a dozen per reset).
    Parse once, then give each backend its own shallow copies (attachment counts stay per account)."""
    from moto.iam.models import IAMBackend

    original = IAMBackend._init_aws_policies
    cache: dict[tuple[str, str], list] = {}

    def _init_aws_policies(self):
        key = (self.account_id, self.partition)
        if key not in cache:
            cache[key] = original(self)
        return [copy.copy(policy) for policy in cache[key]]

    IAMBackend._init_aws_policies = _init_aws_policies


def _moto_time_is_the_backend_clock() -> None:
    """One time for the whole account: every timestamp moto writes (createdAt, registeredAt, alarm
    state times, ...) comes from the backend's clock, like the simulator's own, so a deployment's
    createdAt and its events' times agree, and at --speed 15 both run 15 times faster."""
    import datetime
    import sys

    import moto.core.utils as utils

    from ecsship.local import runtime

    original = utils.utcnow

    def utcnow() -> datetime.datetime:
        return datetime.datetime.fromtimestamp(runtime.now(), tz=datetime.timezone.utc).replace(tzinfo=None)

    utils.utcnow = utcnow
    for name, module in list(sys.modules.items()):
        if name.startswith("moto.") and getattr(module, "utcnow", None) is original:
            module.utcnow = utcnow


def _event_rules_in_get_resources() -> None:
    """Resource Groups Tagging API GetResources lists EventBridge rules (resource type `events:rule`,
    "Services that support the Resource Groups Tagging API": Amazon EventBridge, rule); moto lists
    event buses only. Rules are added, with their tags, as AWS does."""
    from moto.core.resource_tagging import TaggedResource
    from moto.events.models import EventsBackend

    buses_only = EventsBackend.iter_tagged_resources

    def iter_tagged_resources(self):
        yield from buses_only(self)
        for bus in list(self.event_buses.values()):
            for rule in list(bus.rules.values()):
                yield TaggedResource(arn=rule.arn, tags=self.tagger.get_tag_dict_for_resource(rule.arn), resource_type="events:rule")

    EventsBackend.iter_tagged_resources = iter_tagged_resources
