"""The local AWS (moto's server) that later domains test SQS and S3 against."""

from __future__ import annotations

import uuid

from aiobotocore.session import get_session

CREDENTIALS = {
    "region_name": "eu-west-1",
    "aws_access_key_id": "testing",
    "aws_secret_access_key": "testing",
}


async def test_sqs_round_trip_through_aiobotocore(moto_endpoint: str) -> None:
    async with get_session().create_client("sqs", endpoint_url=moto_endpoint, **CREDENTIALS) as sqs:
        queue_url = (await sqs.create_queue(QueueName=f"events-{uuid.uuid4().hex}"))["QueueUrl"]
        await sqs.send_message(QueueUrl=queue_url, MessageBody='{"clickId": "c1"}')
        received = await sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1
        )
        assert [m["Body"] for m in received["Messages"]] == ['{"clickId": "c1"}']
        await sqs.delete_message(
            QueueUrl=queue_url, ReceiptHandle=received["Messages"][0]["ReceiptHandle"]
        )
        again = await sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=0)
        assert again.get("Messages", []) == []


async def test_s3_round_trip_through_aiobotocore(moto_endpoint: str) -> None:
    async with get_session().create_client("s3", endpoint_url=moto_endpoint, **CREDENTIALS) as s3:
        bucket = f"files-{uuid.uuid4().hex}"
        await s3.create_bucket(
            Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
        )
        await s3.put_object(Bucket=bucket, Key="raw/a.csv", Body=b"phone\n447400100001\n")
        obj = await s3.get_object(Bucket=bucket, Key="raw/a.csv")
        async with obj["Body"] as body:
            assert await body.read() == b"phone\n447400100001\n"
