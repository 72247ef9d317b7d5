# The daemon runs on an EC2 instance with systemd (the .deb and its hardened unit) or as a Fargate
# service. Either way it only makes outbound HTTPS calls to AWS APIs and listens on nothing.

data "aws_subnet" "selected" {
  id = var.subnet_id
}

resource "aws_security_group" "triaged" {
  name_prefix = "${local.name}-triaged-"
  description = "triaged: outbound HTTPS to AWS APIs only, nothing inbound"
  vpc_id      = data.aws_subnet.selected.vpc_id
  tags        = local.tags

  egress {
    #checkov:skip=CKV_AWS_382:AWS public API endpoints have no fixed addresses; restrict with VPC interface endpoints and their prefix lists where the VPC has them.
    description = "HTTPS to AWS APIs (or VPC endpoints)"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

# EC2 --------------------------------------------------------------------------------------------

data "aws_ami" "debian" {
  count       = var.compute == "ec2" ? 1 : 0
  most_recent = true
  owners      = ["136693071363"] # Debian's official AWS account
  filter {
    name   = "name"
    values = ["debian-12-amd64-*"]
  }
  filter {
    name   = "architecture"
    values = ["x86_64"]
  }
}

resource "aws_iam_instance_profile" "triaged" {
  count       = var.compute == "ec2" ? 1 : 0
  name_prefix = "${local.name}-triaged-"
  role        = aws_iam_role.triaged.name
  tags        = local.tags
}

resource "aws_instance" "triaged" {
  count                       = var.compute == "ec2" ? 1 : 0
  ami                         = data.aws_ami.debian[0].id
  instance_type               = var.instance_type
  subnet_id                   = var.subnet_id
  vpc_security_group_ids      = [aws_security_group.triaged.id]
  iam_instance_profile        = aws_iam_instance_profile.triaged[0].name
  associate_public_ip_address = var.associate_public_ip
  monitoring                  = true
  ebs_optimized               = true
  user_data_replace_on_change = true
  user_data = templatefile("${path.module}/templates/user_data.sh.tftpl", {
    deb_url = var.deb_url
    config  = local.config
  })

  metadata_options {
    http_tokens                 = "required" # IMDSv2 only
    http_put_response_hop_limit = 1
    http_endpoint               = "enabled"
    instance_metadata_tags      = "disabled"
  }

  root_block_device {
    encrypted   = true
    volume_type = "gp3"
    volume_size = 8
  }

  tags = merge(local.tags, { Name = "${local.name}-triaged" })

  lifecycle {
    precondition {
      condition     = var.deb_url != ""
      error_message = "compute = ec2 needs deb_url: an https URL of the package built by make deb."
    }
  }
}

# ECS --------------------------------------------------------------------------------------------

resource "aws_cloudwatch_log_group" "task" {
  count             = var.compute == "ecs" ? 1 : 0
  name              = "/ecs/${local.name}-triaged"
  retention_in_days = 365
  kms_key_id        = aws_kms_key.triaged.arn
  tags              = local.tags
}

data "aws_iam_policy_document" "execution_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "execution" {
  count              = var.compute == "ecs" ? 1 : 0
  name_prefix        = "${local.name}-triaged-exec-"
  assume_role_policy = data.aws_iam_policy_document.execution_assume.json
  tags               = local.tags
}

resource "aws_iam_role_policy_attachment" "execution" {
  count      = var.compute == "ecs" ? 1 : 0
  role       = aws_iam_role.execution[0].name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}

resource "aws_ecs_task_definition" "triaged" {
  count                    = var.compute == "ecs" ? 1 : 0
  family                   = "${local.name}-triaged"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.task_cpu
  memory                   = var.task_memory
  task_role_arn            = aws_iam_role.triaged.arn
  execution_role_arn       = aws_iam_role.execution[0].arn

  # The configuration is passed in the environment and written to a scratch volume at start; the
  # root file system stays read-only.
  volume {
    name = "run"
  }

  container_definitions = jsonencode([{
    name                   = "triaged"
    image                  = var.container_image
    essential              = true
    readonlyRootFilesystem = true
    user                   = "65534:65534"
    entryPoint             = ["/bin/sh", "-c"]
    command                = ["printf '%s' \"$TRIAGED_CONFIG_YAML\" > /run/triaged/config.yaml && exec /usr/bin/triaged run --config /run/triaged/config.yaml"]
    environment            = [{ name = "TRIAGED_CONFIG_YAML", value = local.config }]
    mountPoints            = [{ sourceVolume = "run", containerPath = "/run/triaged", readOnly = false }]
    stopTimeout            = 90 # longer than drain_timeout
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.task[0].name
        awslogs-region        = var.region
        awslogs-stream-prefix = "triaged"
      }
    }
  }])

  tags = local.tags

  lifecycle {
    precondition {
      condition     = var.container_image != ""
      error_message = "compute = ecs needs container_image: an image with /usr/bin/triaged and /bin/sh."
    }
  }
}

resource "aws_ecs_service" "triaged" {
  count           = var.compute == "ecs" ? 1 : 0
  name            = "${local.name}-triaged"
  cluster         = var.ecs_cluster_name
  task_definition = aws_ecs_task_definition.triaged[0].arn
  desired_count   = 1
  launch_type     = "FARGATE"
  # Claims in S3 make an overlap during deployments harmless.
  deployment_minimum_healthy_percent = 0
  deployment_maximum_percent         = 200

  network_configuration {
    subnets          = [var.subnet_id]
    security_groups  = [aws_security_group.triaged.id]
    assign_public_ip = false
  }

  tags = local.tags
}
