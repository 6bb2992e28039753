#!/bin/bash
# Entry point from a CI runner or a workstation: copies this checkout to a VM (USERNAME@PUBLIC_IP, an
# SSH key that reaches it) and runs playbooks/csi-cinder-e2e.yaml there, then fetches the logs.
# Like cloud-provider-openstack's tests/ci-csi-cinder-e2e.sh, without the cloud-specific VM creation.
set -o errexit -o nounset -o pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
: "${PUBLIC_IP:?set PUBLIC_IP to the address of the VM}"
USERNAME=${USERNAME:-ubuntu}
SSH_KEY=${SSH_KEY:-${HOME}/.ssh/id_ed25519}
ARTIFACTS=${ARTIFACTS:-${REPO_ROOT}/_artifacts}
mkdir -p "${ARTIFACTS}"

status=0
ansible-playbook -v \
  --user "${USERNAME}" --private-key "${SSH_KEY}" \
  --inventory "${PUBLIC_IP}," \
  --ssh-common-args "-o StrictHostKeyChecking=no" \
  --extra-vars "repo_src=${REPO_ROOT}/" \
  "${REPO_ROOT}/tests/ci/playbooks/csi-cinder-e2e.yaml" || status=$?

scp -i "${SSH_KEY}" -o StrictHostKeyChecking=no -r "${USERNAME}@${PUBLIC_IP}:/var/log/csi-e2e" "${ARTIFACTS}/" || true
exit "${status}"
