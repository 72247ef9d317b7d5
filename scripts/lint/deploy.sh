#!/usr/bin/env bash
# make lint-deploy: the Terraform module and the shell scripts, checked offline.
#   terraform fmt -check; every .tf parsed by python-hcl2; checkov with no failed check (skips are
#   justified inline); shellcheck on every shell script and on the rendered EC2 user data.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
scripts/install-deps.sh --deploy

export TF_CLI_CONFIG_FILE=/dev/null
terraform fmt -check -recursive -diff deploy/terraform
echo "terraform fmt: clean"
.venv-deploy/bin/python scripts/lint/hcl_parse.py deploy/terraform
.venv-deploy/bin/checkov -d deploy/terraform --framework terraform --quiet --compact --skip-download

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
# shellcheck disable=SC2016 # the ${...} are the template's placeholders, replaced literally
sed -e 's#${deb_url}#https://artifacts.example.com/triaged.deb#' -e 's#^${config}$#aws: {region: eu-west-1}#' \
    deploy/terraform/templates/user_data.sh.tftpl > "$scratch/user_data.sh"
mapfile -t scripts < <(git ls-files '*.sh')
shellcheck "${scripts[@]}" "$scratch/user_data.sh"
echo "shellcheck: ${#scripts[@]} scripts and the EC2 user data clean"
