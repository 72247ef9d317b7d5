# Inputs of the earlier Lambda module, kept with their names and meaning.

variable "name_prefix" {
  description = "Prefix of every resource name (e.g. prodapp)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 3-32 characters of lower-case letters, digits and hyphens, starting with a letter."
  }
}

variable "alb_name" {
  description = "Name of the Application Load Balancer whose 5XX count is watched."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9-]{1,32}$", var.alb_name))
    error_message = "alb_name must be a load balancer name (1-32 letters, digits and hyphens)."
  }
}

variable "error_threshold" {
  description = "5XX responses per period that put the alarm in ALARM."
  type        = number
  default     = 10

  validation {
    condition     = var.error_threshold > 0
    error_message = "error_threshold must be positive."
  }
}

variable "evaluation_periods" {
  description = "Consecutive periods above the threshold before the alarm fires."
  type        = number
  default     = 2

  validation {
    condition     = var.evaluation_periods >= 1 && var.evaluation_periods <= 30 && floor(var.evaluation_periods) == var.evaluation_periods
    error_message = "evaluation_periods must be a whole number from 1 to 30."
  }
}

variable "period" {
  description = "Alarm period in seconds (10, 30, or a multiple of 60)."
  type        = number
  default     = 60

  validation {
    condition     = contains([10, 30], var.period) || (var.period >= 60 && var.period % 60 == 0)
    error_message = "period must be 10, 30 or a multiple of 60 seconds."
  }
}

variable "bedrock_model_id" {
  description = "Bedrock model id or inference profile id used for the diagnosis (empty: rules only). The default global profile may run in any commercial region; use a geography profile (us., eu., jp., au., apac.) to keep prompts in one geography."
  type        = string
  default     = "global.anthropic.claude-sonnet-4-6"

  validation {
    condition     = var.bedrock_model_id == "" || can(regex("^((us|eu|apac|jp|au|ca|us-gov|global)\\.)?[a-z0-9-]+\\.[A-Za-z0-9.:-]+$", var.bedrock_model_id))
    error_message = "bedrock_model_id must be a Bedrock model id (provider.model[:version]) or a cross-region inference profile id (us., eu., jp., au., apac., us-gov., global.), or empty."
  }
}

variable "bedrock_fallback_model_id" {
  description = "Bedrock model id or inference profile id tried once when the model is throttled, unavailable or retired (empty: none)."
  type        = string
  default     = ""

  validation {
    condition     = var.bedrock_fallback_model_id == "" || can(regex("^((us|eu|apac|jp|au|ca|us-gov|global)\\.)?[a-z0-9-]+\\.[A-Za-z0-9.:-]+$", var.bedrock_fallback_model_id))
    error_message = "bedrock_fallback_model_id must be a Bedrock model id or inference profile id, or empty."
  }
}

variable "ecs_cluster_name" {
  description = "ECS cluster running the services behind the load balancer."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,255}$", var.ecs_cluster_name))
    error_message = "ecs_cluster_name must be an ECS cluster name."
  }
}

variable "ecs_service_names" {
  description = "ECS services to investigate; empty: every service behind the load balancer's target groups."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for name in var.ecs_service_names : can(regex("^[A-Za-z0-9_-]{1,255}$", name))])
    error_message = "ecs_service_names must hold ECS service names."
  }
}

variable "existing_findings_topic_arn" {
  description = "Publish reports to this existing SNS topic instead of creating one."
  type        = string
  default     = null

  validation {
    condition     = var.existing_findings_topic_arn == null || can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_.-]+$", var.existing_findings_topic_arn))
    error_message = "existing_findings_topic_arn must be an SNS topic ARN."
  }
}

variable "sns_topic_arn" {
  description = "Existing SNS topic the alarm notifies (its intake subscription is created here); null creates one."
  type        = string
  default     = null

  validation {
    condition     = var.sns_topic_arn == null || can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_.-]+$", var.sns_topic_arn))
    error_message = "sns_topic_arn must be an SNS topic ARN."
  }
}

variable "region" {
  description = "AWS region of the load balancer, the cluster and everything created here."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.region))
    error_message = "region must be an AWS region code such as ap-southeast-1."
  }
}

# What a long-running daemon needs.

variable "compute" {
  description = "Where triaged runs: ec2 (an instance with systemd) or ecs (a Fargate service)."
  type        = string
  default     = "ec2"

  validation {
    condition     = contains(["ec2", "ecs"], var.compute)
    error_message = "compute must be ec2 or ecs."
  }
}

variable "subnet_id" {
  description = "Private subnet for the instance or the task (needs a route to the AWS APIs: NAT or VPC endpoints)."
  type        = string

  validation {
    condition     = can(regex("^subnet-[0-9a-f]{8,17}$", var.subnet_id))
    error_message = "subnet_id must be a subnet id (subnet-...)."
  }
}

variable "instance_type" {
  description = "EC2 instance type (x86_64; the package is built for amd64)."
  type        = string
  default     = "t3.micro"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]*\\.[a-z0-9]+$", var.instance_type)) && !can(regex("^[a-z]+[0-9]+g", var.instance_type))
    error_message = "instance_type must be an x86_64 instance type such as t3.micro (Graviton types need an arm64 package)."
  }
}

variable "associate_public_ip" {
  description = "Give the instance a public IP (only for subnets without NAT; prefer private subnets)."
  type        = bool
  default     = false
}

variable "deb_url" {
  description = "HTTPS URL of the triaged .deb (make deb) the instance installs at boot."
  type        = string
  default     = ""

  validation {
    condition     = var.deb_url == "" || can(regex("^https://", var.deb_url))
    error_message = "deb_url must be an https URL."
  }
}

variable "container_image" {
  description = "With compute = ecs: the image holding /usr/bin/triaged and /bin/sh."
  type        = string
  default     = ""
}

variable "task_cpu" {
  description = "With compute = ecs: task CPU units."
  type        = number
  default     = 256

  validation {
    condition     = contains([256, 512, 1024, 2048, 4096], var.task_cpu)
    error_message = "task_cpu must be a Fargate CPU size (256, 512, 1024, 2048 or 4096)."
  }
}

variable "task_memory" {
  description = "With compute = ecs: task memory (MiB)."
  type        = number
  default     = 512

  validation {
    condition     = var.task_memory >= 512 && var.task_memory <= 30720
    error_message = "task_memory must be between 512 and 30720 MiB."
  }
}

variable "report_retention_days" {
  description = "Days a report stays in the bucket (older versions expire 30 days after being replaced)."
  type        = number
  default     = 90

  validation {
    condition     = var.report_retention_days >= 1 && var.report_retention_days <= 3650
    error_message = "report_retention_days must be between 1 and 3650."
  }
}

variable "log_group_names" {
  description = "Log groups triaged may read; empty: every log group in the account and region (they come from the task definitions)."
  type        = list(string)
  default     = []
}

variable "daily_budget_usd" {
  description = "No model call once the day's estimated Bedrock spend would pass this."
  type        = number
  default     = 20

  validation {
    condition     = var.daily_budget_usd >= 0
    error_message = "daily_budget_usd must not be negative."
  }
}

variable "runbooks_prefix" {
  description = "Key prefix in the report bucket holding runbooks as <prefix><alarm name>.md (e.g. \"runbooks/\"); empty: none."
  type        = string
  default     = ""

  validation {
    condition     = var.runbooks_prefix == "" || (endswith(var.runbooks_prefix, "/") && !startswith(var.runbooks_prefix, "incidents/"))
    error_message = "runbooks_prefix must end in / and lie outside incidents/."
  }
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}

variable "workload_accounts" {
  description = "Workload accounts triaged investigates through a read role (modules/workload-account makes one): account id, role ARN, external id (\"\" for none), and the ARN of the account's alarm topic the intake queue subscribes to (\"\" when its alarms are only polled)."
  type = list(object({
    account_id      = string
    role_arn        = string
    external_id     = string
    alarm_topic_arn = string
  }))
  default = []

  validation {
    condition = alltrue([for a in var.workload_accounts :
      can(regex("^[0-9]{12}$", a.account_id)) && can(regex("^arn:aws[a-z-]*:iam::${a.account_id}:role/", a.role_arn))
    ])
    error_message = "Each workload account needs a 12-digit account_id and a role_arn in that account."
  }
}
