# An estate that runs only workload accounts: the log archive is someone else's (its team hands
# out the destination ARN of each region). Two regions of one account, one region of another.

terraform {
  required_version = ">= 1.10"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100.0, < 6.0.0"
    }
  }
  backend "s3" {
    bucket       = "team-tfstate-222222222222-eu-west-1"
    key          = "eks-control-plane-logs/workloads/terraform.tfstate"
    region       = "eu-west-1"
    encrypt      = true
    use_lockfile = true
  }
}

variable "destination_arns" {
  type        = map(string)
  description = "The central destination ARN of each region, from the log archive's team."
  default = {
    "eu-west-1" = "arn:aws:logs:eu-west-1:111111111111:destination:eks-logs-acme"
    "us-east-1" = "arn:aws:logs:us-east-1:111111111111:destination:eks-logs-acme"
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
  alias               = "payments_us_east_1"
  region              = "us-east-1"
  allowed_account_ids = ["222222222222"]
  assume_role {
    role_arn = "arn:aws:iam::222222222222:role/terraform-deploy"
  }
}

provider "aws" {
  alias               = "search_eu_west_1"
  region              = "eu-west-1"
  allowed_account_ids = ["333333333333"]
  assume_role {
    role_arn = "arn:aws:iam::333333333333:role/terraform-deploy"
  }
}

module "payments_eu_west_1" {
  source    = "../../modules/workload"
  providers = { aws = aws.payments_eu_west_1 }

  name_prefix     = "eks-logs-acme"
  destination_arn = var.destination_arns["eu-west-1"]
  cluster_names   = ["payments-prod"]
}

module "payments_us_east_1" {
  source    = "../../modules/workload"
  providers = { aws = aws.payments_us_east_1 }

  name_prefix     = "eks-logs-acme"
  destination_arn = var.destination_arns["us-east-1"]
  cluster_names   = ["payments-dr"]
}

module "search_eu_west_1" {
  source    = "../../modules/workload"
  providers = { aws = aws.search_eu_west_1 }

  name_prefix     = "eks-logs-acme"
  destination_arn = var.destination_arns["eu-west-1"]
  cluster_names   = ["search", "search-canary"]
}

output "filter_names" {
  value = {
    payments_eu_west_1 = module.payments_eu_west_1.filter_name
    payments_us_east_1 = module.payments_us_east_1.filter_name
    search_eu_west_1   = module.search_eu_west_1.filter_name
  }
  description = "Subscription filter of each account and region"
}
