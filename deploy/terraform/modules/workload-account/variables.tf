variable "name" {
  description = "Name of the read role triaged assumes in this account."
  type        = string
  default     = "triaged-read"

  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", var.name))
    error_message = "name must be a valid IAM role name (1-64 of A-Za-z0-9+=,.@_-)."
  }
}

variable "triaged_role_arn" {
  description = "ARN of triaged's own role in the central (operations) account: the only principal the read role trusts."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/", var.triaged_role_arn))
    error_message = "triaged_role_arn must be an IAM role ARN."
  }
}

variable "external_id" {
  description = "The sts:ExternalId triaged sends (aws.accounts[].external_id); the trust policy requires it."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@:/-]{2,1224}$", var.external_id))
    error_message = "external_id must be 2-1224 characters of A-Za-z0-9+=,.@:/-."
  }
}

variable "max_session_duration" {
  description = "Longest session the role grants in seconds; triaged asks for aws.accounts[].duration (default 1h)."
  type        = number
  default     = 3600

  validation {
    condition     = var.max_session_duration >= 3600 && var.max_session_duration <= 43200
    error_message = "max_session_duration must be 3600 to 43200 seconds."
  }
}

variable "ecs_cluster_names" {
  description = "ECS clusters triaged may read services and tasks of."
  type        = list(string)
}

variable "log_group_names" {
  description = "Log groups triaged may read; empty: every log group in the account and region."
  type        = list(string)
  default     = []
}

variable "alarm_topic_arn" {
  description = "The account's alarm topic (in this account): its policy is set to let CloudWatch publish and the central intake queue subscribe. \"\" leaves topic policies alone (alarms are then only polled)."
  type        = string
  default     = ""
}

variable "intake_queue_arn" {
  description = "ARN of triaged's intake queue in the central account (the only endpoint the topic may be subscribed to from there)."
  type        = string
  default     = ""
}
