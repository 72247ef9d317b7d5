# The smallest deployment: triaged on an EC2 instance in a private subnet, watching one load
# balancer in front of an ECS cluster, with its own alarm and findings topics.

provider "aws" {
  region = "ap-southeast-1"
}

module "triaged" {
  source = "../.."

  name_prefix      = "prodapp"
  region           = "ap-southeast-1"
  alb_name         = "prodapp-alb"
  ecs_cluster_name = "prodapp-ecs-cluster"
  subnet_id        = "subnet-0123456789abcdef0"
  deb_url          = "https://artifacts.example.com/triaged/triaged_0.1.0_amd64.deb"
  bedrock_model_id = "global.anthropic.claude-sonnet-4-6"
}

output "intake_queue_url" {
  value = module.triaged.intake_queue_url
}

output "report_bucket_name" {
  value = module.triaged.report_bucket_name
}

output "findings_topic_arn" {
  value = module.triaged.findings_topic_arn
}
