# A whole estate in one root: the log archive (central account 111111111111, eu-west-1, with a
# second destination in us-east-1) and two workload accounts sending their EKS control-plane logs.
# Every account is reached through its own provider configuration; module instances made with
# for_each would share one, so each account and region is its own module call.

terraform {
  required_version = ">= 1.10"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100.0, < 6.0.0"
    }
  }
  backend "s3" {
    bucket       = "acme-tfstate-111111111111-eu-west-1"
    key          = "eks-control-plane-logs/estate/terraform.tfstate"
    region       = "eu-west-1"
    encrypt      = true
    use_lockfile = true
  }
}

provider "aws" {
  alias               = "archive"
  region              = "eu-west-1"
  allowed_account_ids = ["111111111111"]
  assume_role {
    role_arn = "arn:aws:iam::111111111111:role/terraform-deploy"
  }
}

provider "aws" {
  alias               = "archive_us_east_1"
  region              = "us-east-1"
  allowed_account_ids = ["111111111111"]
  assume_role {
    role_arn = "arn:aws:iam::111111111111:role/terraform-deploy"
  }
}

provider "aws" {
  alias               = "payments_eu_west_1"
  region              = "eu-west-1"
  allowed_account_ids = ["222222222222"]
  assume_role {
    role_arn = "arn:aws:iam::222222222222:role/terraform-deploy"
  }
}

provider "aws" {
  alias               = "search_us_east_1"
  region              = "us-east-1"
  allowed_account_ids = ["333333333333"]
  assume_role {
    role_arn = "arn:aws:iam::333333333333:role/terraform-deploy"
  }
}

locals {
  name_prefix     = "eks-logs-acme"
  organization_id = "o-a1b2c3d4e5"
  # Only accounts under the workloads OU (and the OUs below it) may subscribe.
  workload_ou_paths = ["o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*"]
}

module "central" {
  source    = "../../modules/central"
  providers = { aws = aws.archive }

  name_prefix                  = local.name_prefix
  organization_id              = local.organization_id
  organizational_unit_paths    = local.workload_ou_paths
  splunk_reader_principal_arns = ["arn:aws:iam::444444444444:role/splunk-heavy-forwarder"]
  splunk_external_id           = var.splunk_external_id
  watched_bucket_names         = ["acme-tfstate-111111111111-eu-west-1"]
  expire_after_days            = 400
  # Terraform's own role first: it must keep managing the key and the bucket.
  admin_role_arns = [
    "arn:aws:iam::111111111111:role/terraform-deploy",
    "arn:aws:iam::111111111111:role/log-archive-break-glass",
  ]
}

# us-east-1 senders need a destination in us-east-1, in the central account.
module "destination_us_east_1" {
  source    = "../../modules/destination"
  providers = { aws = aws.archive_us_east_1 }

  name_prefix               = local.name_prefix
  organization_id           = local.organization_id
  organizational_unit_paths = local.workload_ou_paths
  delivery_stream_arn       = module.central.forwarder_delivery_stream_arn
}

module "payments_eu_west_1" {
  source    = "../../modules/workload"
  providers = { aws = aws.payments_eu_west_1 }

  name_prefix     = local.name_prefix
  destination_arn = module.central.forwarder_destination_arn
  cluster_names   = ["payments-prod", "payments-staging"]
}

module "search_us_east_1" {
  source    = "../../modules/workload"
  providers = { aws = aws.search_us_east_1 }

  name_prefix     = local.name_prefix
  destination_arn = module.destination_us_east_1.destination_arn
  cluster_names   = ["search"]
  # Clusters created later in this account and region are sent too.
  account_policy = true
}

variable "splunk_external_id" {
  type        = string
  description = "sts:ExternalId Splunk passes when it assumes the reader role (keep it out of version control)."
  sensitive   = true
}

output "splunk_queue_urls" {
  value       = module.central.storage_splunk_queue_urls
  description = "One SQS queue per log type for Splunk's SQS-based S3 input"
}

output "splunk_reader_role_arn" {
  value       = module.central.storage_splunk_reader_role_arn
  description = "Role Splunk assumes"
}

output "athena_workgroup" {
  value       = module.central.catalog_workgroup_name
  description = "Athena workgroup to query with"
}
