"""SSM DescribeParameters pages the way AWS may: few parameters per call, empty pages with a NextToken.

AWS (botocore ssm DescribeParameters): "Request results are returned on a best-effort basis ... The
number of items returned, however, can be between zero and the value of MaxResults. If the service
reaches an internal limit while processing the results, it stops the operation and returns the
matching values up to that point and a NextToken." So a filtered call can answer an empty first page
with a NextToken while the match is on a later page. moto filters first and pages the matches (ten
at a time), so one call always finds a single named parameter. Here each call examines at most
SCAN_LIMIT parameters of the account (in name order) and returns the ones among them that match.
"""
from __future__ import annotations

SCAN_LIMIT = 2


def apply() -> None:
    from moto.core.responses import ActionResult
    from moto.ssm.responses import SimpleSystemManagerResponse

    def describe_parameters(self) -> ActionResult:
        filters = self._get_param("Filters")
        parameter_filters = self._get_param("ParameterFilters")
        token = str(self._get_param("NextToken") or "0").strip() or "0"
        start = int(token) if token.isdigit() else 0
        limit = min(SCAN_LIMIT, int(self._get_param("MaxResults") or SCAN_LIMIT))
        matching = {p.name for p in self.ssm_backend.describe_parameters(filters, parameter_filters)}
        every = sorted(self.ssm_backend.describe_parameters([], []), key=lambda p: p.name)
        window = every[start:start + limit]
        response: dict = {"Parameters": [p.describe_response_object(False) for p in window if p.name in matching]}
        if start + limit < len(every):
            response["NextToken"] = str(start + limit)
        return ActionResult(response)

    SimpleSystemManagerResponse.describe_parameters = describe_parameters
