"""The image check guards a new task definition revision (issue #20 item 2): a plan never proposes a
revision of an image ECR does not have, and does not ask ECR when it proposes none."""
from __future__ import annotations

IMAGE = ("ecr", "DescribeImages")


def test_the_image_is_checked_only_when_a_revision_is_proposed(run_cli, example, manifest, aws, aws_calls):
    applied = run_cli("apply", "--no-wait", "-f", example("worker"), "--yes")
    assert applied.exit_code == 0, applied.output
    # The running image disappears from ECR (a lifecycle policy, a hand clean-up).
    aws.client("ecr").batch_delete_image(repositoryName="worker", imageIds=[{"imageTag": "v1"}])

    aws_calls.clear()
    converged = run_cli("plan", "-f", example("worker"), "--detailed-exitcode")
    assert converged.exit_code == 0, converged.output
    assert IMAGE not in aws_calls.reads()

    aws_calls.clear()
    changed = run_cli("plan", "-f", manifest("worker", environment={"QUEUE_BATCH": "20"}))
    assert changed.exit_code == 1, changed.output
    assert "worker:v1: image not found in ECR" in changed.stderr and "Traceback" not in changed.output
    assert aws_calls.reads().count(IMAGE) == 1
