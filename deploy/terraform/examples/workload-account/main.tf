# A workload account's read role for triaged, applied with that account's credentials; its
# output goes into the central stack's workload_accounts (examples/basic, in the operations account).

provider "aws" {
  region = "eu-west-1"
}

module "triaged_read" {
  source = "../../modules/workload-account"

  triaged_role_arn  = "arn:aws:iam::123456789012:role/ops-triaged-20260101000000000000000001"
  external_id       = "shop-triaged"
  ecs_cluster_names = ["shop"]
  # The account's existing alarm topic (encrypted with a customer key CloudWatch may use).
  alarm_topic_arn  = "arn:aws:sns:eu-west-1:210987654321:shop-alarms"
  intake_queue_arn = "arn:aws:sqs:eu-west-1:123456789012:ops-triaged-intake"
}

output "triaged_account" {
  value = module.triaged_read.triaged_account
}
