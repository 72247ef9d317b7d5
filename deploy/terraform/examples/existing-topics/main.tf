# Existing topics: the alarms notify an SNS topic the team already has, and reports go to the
# findings topic their chat integration (Amazon Q Developer in chat applications) listens to.
# triaged runs as a Fargate service in the application's own cluster.

provider "aws" {
  region = "eu-west-1"
}

module "triaged" {
  source = "../.."

  name_prefix                 = "shop"
  region                      = "eu-west-1"
  alb_name                    = "shop-public"
  error_threshold             = 25
  evaluation_periods          = 3
  period                      = 60
  ecs_cluster_name            = "shop"
  ecs_service_names           = ["checkout", "catalog", "cart"]
  sns_topic_arn               = "arn:aws:sns:eu-west-1:123456789012:shop-alarms"
  existing_findings_topic_arn = "arn:aws:sns:eu-west-1:123456789012:shop-oncall-chat"
  bedrock_model_id            = "eu.anthropic.claude-sonnet-4-6" # prompts stay in EU regions
  daily_budget_usd            = 10

  compute         = "ecs"
  subnet_id       = "subnet-0fedcba9876543210"
  container_image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/triaged:0.1.0"
  task_cpu        = 256
  task_memory     = 512

  report_retention_days = 180
  log_group_names       = ["/ecs/shop-checkout", "/ecs/shop-catalog", "/ecs/shop-cart"]
  tags                  = { team = "shop-sre" }
}

output "intake_queue_url" {
  value = module.triaged.intake_queue_url
}

output "report_bucket_name" {
  value = module.triaged.report_bucket_name
}
