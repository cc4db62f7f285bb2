"""moto's per-request and per-reset work that gives the same answer every time, done once.

Unlike the fidelity fixes these change no behaviour: every answer stays byte for byte what moto
would send (tests/unit/local/test_moto_speed.py compares each patch with moto's own code). They
are applied once per process by `apply()`, with or without the fidelity fixes (`--plain-moto`).
Measured on the development machine: a reset went from ~118 ms to ~66 ms of CPU.
"""
from __future__ import annotations

_applied = False
MOTO: dict = {}  # moto's own functions, replaced here (tests compare with them)


def apply() -> None:
    global _applied
    if _applied:
        return
    _applied = True
    _account_lookup_creates_no_backends()
    _action_names_remembered()
    _attribute_aliases_remembered()


def _account_lookup_creates_no_backends() -> None:
    """moto finds a request's account by looking for its access key in the IAM backend of every
    account and every partition (six), creating each missing one on the way; a new IAM backend copies
    ~1,300 AWS-managed policies, so the first request after a reset made five backends nobody uses
    (about a third of a reset's time). A backend that does not exist yet holds no access keys:
    looking only in the existing ones finds the same account."""
    import moto.iam.models as iam

    MOTO["get_account_id_from"] = iam.get_account_id_from

    def get_account_id_from(access_key: str) -> str:
        for account_id, account in list(iam.iam_backends.items()):  # a list, as moto's: other threads add accounts
            for partition in iam.PARTITION_NAMES:
                backend = dict.get(account, partition)  # dict's own get: no backend created
                if backend is not None and access_key in backend.access_keys:
                    return account_id
        return iam.DEFAULT_ACCOUNT_ID

    iam.get_account_id_from = get_account_id_from  # moto.core.responses imports it at each call


def _action_names_remembered() -> None:
    """For every request moto lists the methods of the response class (inspect.getmembers over its
    hundreds of attributes, ~1 ms) to see whether it implements the action. The list only changes
    when a method is added to the class or one of its bases (the simulator adds actions), which
    changes that class's attribute count: so it is remembered per class and those counts."""
    import moto.core.responses as responses

    original = MOTO["method_names_from_class"] = responses.method_names_from_class
    remembered: dict[tuple, list[str]] = {}

    def method_names_from_class(clazz: type) -> list[str]:
        key = (clazz, tuple(len(vars(base)) for base in clazz.__mro__))
        names = remembered.get(key)
        if names is None:  # two threads may both compute it: the same list, stored twice
            names = remembered[key] = original(clazz)
        return names

    responses.method_names_from_class = method_names_from_class


def _attribute_aliases_remembered() -> None:
    """Serialising an answer, moto looks up each field of each object under every name it may have
    (explicit aliases, the shape's name and prefix, the class-name prefix, the model's name, then each
    in snake_case), asking six alias classes anew for every field of every item: about a third of the
    serialising time. With moto's own alias classes the names depend only on the object's class, the
    shape (and the structure it is in) and the field, so they are worked out once per combination and
    values are still read from each object in the same order. Anything else (an object with its own
    `Meta` or `__getattr__`, another alias class) goes the original way."""
    from moto.core import serialize
    from moto.core.utils import get_value

    original = MOTO["AttributePicker.__call__"] = serialize.AttributePicker.__call__
    missing = serialize.MISSING
    pure = {serialize.ExplicitAlias, serialize.ShapeNameAlias, serialize.NoAlias, serialize.ShapePrefixAlias,
            serialize.ClassPrefixAlias, serialize.ModelAlias}
    remembered: dict[tuple, tuple[str, ...]] = {}

    def __call__(self, context):
        obj, shape = context.obj, context.shape
        cls = obj.__class__
        if (isinstance(obj, type) or "Meta" in getattr(obj, "__dict__", ()) or hasattr(cls, "__getattr__")
                or not pure.issuperset(self.alias_providers)):
            return original(self, context)
        key = (type(self), tuple(self.alias_providers), cls, shape, getattr(shape, "parent", None), context.key)
        names = remembered.get(key)
        if names is None:  # shapes live as long as moto's cached service models: the key's objects stay
            try:
                names = tuple(self.get_possible_keys(context))
            except Exception:  # noqa: BLE001 - an alias moto would never have asked about: moto's way
                return original(self, context)
            remembered[key] = names
        for name in names:
            value = get_value(obj, name, missing)
            if value is not missing:
                break
        else:
            value = None
        if self.response_transformers:
            key_path = f"{context.key_path}.{context.key}"
            for transform_path, transform in self.response_transformers.items():
                if key_path.endswith(transform_path):
                    return transform(value)
        return value

    serialize.AttributePicker.__call__ = __call__
