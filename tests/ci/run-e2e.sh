#!/bin/bash
# End-to-end job for the Cinder CSI driver on one VM: devstack (Keystone, Nova, Cinder, Glance,
# Neutron) + k3s, our image built from this checkout and loaded into k3s, our manifests applied with
# every opt-in overlay, then Kubernetes' e2e.test External.Storage suite with tests/ci/test-driver.yaml.
# The shape of cloud-provider-openstack's tests/ci-csi-cinder-e2e.sh + test-csi-cinder-e2e playbook.
#
# devstack runs on this VM; the Kubernetes node is a Nova instance inside it (Nova must attach volumes
# to the node), reached over its floating IP; e2e.test runs here against that cluster.
# Run as root on a fresh Ubuntu 24.04 VM (8 vCPU, 16 GiB, nested virtualisation helps):
#   sudo tests/ci/run-e2e.sh            # every phase
#   sudo PHASES="deploy e2e" tests/ci/run-e2e.sh   # again, on a VM that already has devstack and k3s
# Settings (environment): see the defaults below and tests/ci/README.md.
set -o errexit -o nounset -o pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PHASES=${PHASES:-"devstack k3s snapshot-crds image deploy e2e"}
STACK_USER=${STACK_USER:-stack}
DEVSTACK_DIR=${DEVSTACK_DIR:-/opt/stack/devstack}
DEVSTACK_BRANCH=${DEVSTACK_BRANCH:-master}
K3S_VERSION=${K3S_VERSION:-v1.35.0+k3s1}
E2E_VERSION=${E2E_VERSION:-v1.35.0}
SNAPSHOTTER_REF=${SNAPSHOTTER_REF:-v8.7.0}
IMAGE=${IMAGE:-docker.io/library/openstack-csi:e2e}
ARTIFACTS=${ARTIFACTS:-/var/log/csi-e2e}
K3S_SERVER=${K3S_SERVER:-k3s-csi-e2e}
K3S_IMAGE=${K3S_IMAGE:-ubuntu-noble}
K3S_FLAVOR=${K3S_FLAVOR:-m1.medium}
SSH_KEY=${SSH_KEY:-/root/.ssh/csi-e2e}
FLOATING_PREFIX=${FLOATING_PREFIX:-172.24.4.} # devstack's default FLOATING_RANGE
export KUBECONFIG=${KUBECONFIG:-/root/.kube/csi-e2e.yaml}
mkdir -p "$(dirname "${KUBECONFIG}")"

log() { printf '\n=== %s: %s\n' "$(date -u +%H:%M:%S)" "$*"; }
has_phase() { [[ " ${PHASES} " == *" $1 "* ]]; }

install_devstack() {
  log "devstack (${DEVSTACK_BRANCH}) with nova and cinder"
  id "${STACK_USER}" >/dev/null 2>&1 || useradd -s /bin/bash -d /opt/stack -m "${STACK_USER}"
  echo "${STACK_USER} ALL=(ALL) NOPASSWD: ALL" >/etc/sudoers.d/stack
  if [ ! -d "${DEVSTACK_DIR}" ]; then
    sudo -u "${STACK_USER}" git clone --depth 1 -b "${DEVSTACK_BRANCH}" https://opendev.org/openstack/devstack "${DEVSTACK_DIR}"
  fi
  sudo -u "${STACK_USER}" tee "${DEVSTACK_DIR}/local.conf" >/dev/null <<LOCALCONF
[[local|localrc]]
ADMIN_PASSWORD=secret
DATABASE_PASSWORD=secret
RABBIT_PASSWORD=secret
SERVICE_PASSWORD=secret
disable_all_services
enable_service key mysql rabbit
enable_service g-api
enable_service n-api n-cpu n-cond n-sch n-api-meta placement-api
enable_service q-svc q-agt q-dhcp q-l3 q-meta
enable_service c-sch c-api c-vol c-bak
CINDER_ISCSI_HELPER=lioadm
VOLUME_BACKING_FILE_SIZE=50G
LOCALCONF
  sudo -u "${STACK_USER}" bash -c "cd '${DEVSTACK_DIR}' && ./stack.sh"
}

openstack_as() {
  # shellcheck disable=SC1091
  (set +o nounset; source "${DEVSTACK_DIR}/openrc" "$1" "$1" >/dev/null; shift; openstack "$@")
}

install_k3s() {
  # The Kubernetes node must be a Nova instance of this devstack: Nova attaches the volumes to it and
  # the node plugin finds its instance ID in the metadata service / config drive.
  log "k3s ${K3S_VERSION} in a devstack instance (${K3S_SERVER})"
  local image_url=https://cloud-images.ubuntu.com/noble/current/noble-server-cloudimg-amd64.img
  openstack_as admin image show "${K3S_IMAGE}" >/dev/null 2>&1 || {
    curl -sfL --retry 5 "${image_url}" -o /tmp/k3s-image.img
    openstack_as admin image create "${K3S_IMAGE}" --public --disk-format qcow2 --container-format bare --file /tmp/k3s-image.img
  }
  [ -f "${SSH_KEY}" ] || ssh-keygen -t ed25519 -N "" -f "${SSH_KEY}"
  openstack_as demo keypair show csi-e2e >/dev/null 2>&1 || openstack_as demo keypair create --public-key "${SSH_KEY}.pub" csi-e2e
  openstack_as demo security group show csi-e2e >/dev/null 2>&1 || {
    openstack_as demo security group create csi-e2e
    openstack_as demo security group rule create --protocol icmp csi-e2e
    openstack_as demo security group rule create --protocol tcp --dst-port 1:65535 csi-e2e
  }
  openstack_as demo subnet set private-subnet --dns-nameserver 8.8.8.8 || true # sidecar images, k3s
  if ! openstack_as demo server show "${K3S_SERVER}" >/dev/null 2>&1; then
    local fip
    fip=$(openstack_as demo floating ip create public -c floating_ip_address -f value)
    cat >/tmp/k3s-user-data.yaml <<USERDATA
#cloud-config
runcmd:
  - curl -sfL https://get.k3s.io | INSTALL_K3S_VERSION="${K3S_VERSION}" sh -s - --disable traefik --disable servicelb --write-kubeconfig-mode 644 --tls-san ${fip}
USERDATA
    openstack_as demo server create "${K3S_SERVER}" --image "${K3S_IMAGE}" --flavor "${K3S_FLAVOR}" --network private \
      --security-group csi-e2e --key-name csi-e2e --config-drive true --user-data /tmp/k3s-user-data.yaml --wait
    openstack_as demo server add floating ip "${K3S_SERVER}" "${fip}"
  fi
  if ! command -v kubectl >/dev/null; then
    curl -sfL "https://dl.k8s.io/release/${E2E_VERSION}/bin/linux/amd64/kubectl" -o /usr/local/bin/kubectl
    chmod 755 /usr/local/bin/kubectl
  fi
  K3S_IP=$(openstack_as demo server show "${K3S_SERVER}" -c addresses -f json | grep -oE "${FLOATING_PREFIX//./\\.}[0-9]+" | head -1)
  until vm_ssh test -f /etc/rancher/k3s/k3s.yaml; do sleep 10; done
  vm_ssh cat /etc/rancher/k3s/k3s.yaml | sed "s#https://127.0.0.1:6443#https://${K3S_IP}:6443#" >"${KUBECONFIG}"
  until kubectl get nodes 2>/dev/null | grep -q ' Ready'; do sleep 5; done
}

vm_ssh() {
  K3S_IP=${K3S_IP:-$(openstack_as demo server show "${K3S_SERVER}" -c addresses -f json | grep -oE "${FLOATING_PREFIX//./\\.}[0-9]+" | head -1)}
  ssh -i "${SSH_KEY}" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ConnectTimeout=10 "ubuntu@${K3S_IP}" "$@"
}

install_snapshot_crds() {
  log "snapshot and group-snapshot CRDs and snapshot-controller (${SNAPSHOTTER_REF})"
  kubectl apply -k "github.com/kubernetes-csi/external-snapshotter/client/config/crd?ref=${SNAPSHOTTER_REF}"
  kubectl apply -k "github.com/kubernetes-csi/external-snapshotter/deploy/kubernetes/snapshot-controller?ref=${SNAPSHOTTER_REF}"
}

build_image() {
  log "image ${IMAGE} from ${REPO_ROOT}, loaded into the k3s node's containerd"
  command -v docker >/dev/null || apt-get install -y docker.io
  docker build -t "${IMAGE}" "${REPO_ROOT}"
  docker save "${IMAGE}" | vm_ssh sudo k3s ctr images import -
}

deploy_driver() {
  log "cloud-config secret (never overwritten blindly: created or updated from this cloud.conf) and manifests"
  local project_id conf work overlay
  project_id=$(openstack_as admin project show demo -c id -f value)
  conf=$(mktemp)
  # shellcheck disable=SC1091
  (set +o nounset; source "${DEVSTACK_DIR}/openrc" demo demo >/dev/null
   printf '[Global]\nauth-url=%s\nusername=%s\npassword=%s\nregion=%s\ntenant-id=%s\ndomain-id=default\n' \
     "${OS_AUTH_URL}" "${OS_USERNAME}" "${OS_PASSWORD}" "${OS_REGION_NAME}" "${project_id}" >"${conf}")
  kubectl -n kube-system create secret generic cloud-config --from-file=cloud.conf="${conf}" \
    --dry-run=client -o yaml | kubectl apply -f -
  rm -f "${conf}"
  openstack_as admin volume type show e2e-retype >/dev/null 2>&1 || openstack_as admin volume type create e2e-retype

  # Our manifests with every opt-in overlay, the image swapped for the one just built (a temporary
  # overlay; the repository's files are not edited).
  work=$(mktemp -d)
  overlay=$(realpath --relative-to="${work}" "${REPO_ROOT}/manifests/kustomize/overlays/all")
  printf 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - %s\nimages:\n  - name: ghcr.io/openstack-csi/openstack-csi\n    newName: %s\n    newTag: %s\n' \
    "${overlay}" "${IMAGE%:*}" "${IMAGE##*:}" >"${work}/kustomization.yaml"
  kubectl apply -k "${work}"
  rm -rf "${work}"
  kubectl -n kube-system rollout status statefulset/csi-cinder-controllerplugin --timeout=5m
  kubectl -n kube-system rollout status daemonset/csi-cinder-nodeplugin --timeout=5m
}

run_e2e() {
  log "e2e.test ${E2E_VERSION} External.Storage"
  mkdir -p "${ARTIFACTS}"
  if [ ! -x /tmp/kubernetes/test/bin/e2e.test ]; then
    curl -sfL "https://dl.k8s.io/${E2E_VERSION}/kubernetes-test-linux-amd64.tar.gz" | tar -C /tmp -xz kubernetes/test/bin/e2e.test
  fi
  local status=0
  (cd "${REPO_ROOT}/tests/ci" && /tmp/kubernetes/test/bin/e2e.test \
    -storage.testdriver=test-driver.yaml \
    --ginkgo.focus='External.Storage' \
    --ginkgo.skip='\[Disruptive\]|\[Serial\]' \
    --ginkgo.timeout=2h -test.timeout=0 \
    --ginkgo.v --ginkgo.no-color \
    -report-dir="${ARTIFACTS}") 2>&1 | tee "${ARTIFACTS}/e2e.log" || status=$?
  kubectl -n kube-system logs statefulset/csi-cinder-controllerplugin -c cinder-csi-plugin >"${ARTIFACTS}/controller.log" || true
  kubectl -n kube-system logs daemonset/csi-cinder-nodeplugin -c cinder-csi-plugin >"${ARTIFACTS}/node.log" || true
  return "${status}"
}

has_phase devstack && install_devstack
has_phase k3s && install_k3s
has_phase snapshot-crds && install_snapshot_crds
has_phase image && build_image
has_phase deploy && deploy_driver
has_phase e2e && run_e2e
log "done; logs in ${ARTIFACTS}"
