output "role_arn" {
  description = "The read role: aws.accounts[].role_arn in triaged's configuration (and workload_accounts[].role_arn of the central module)."
  value       = aws_iam_role.read.arn
}

output "account_id" {
  description = "This account's id: aws.accounts[].account_id."
  value       = local.account
}

output "triaged_account" {
  description = "The central account's entry for the root module's workload_accounts input."
  value = {
    account_id      = local.account
    role_arn        = aws_iam_role.read.arn
    external_id     = var.external_id
    alarm_topic_arn = var.alarm_topic_arn
  }
}
