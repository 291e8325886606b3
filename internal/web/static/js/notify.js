// What to configure in a registry so its pushes reach Airlock: for each
// kind, the steps and (where the registry takes a file or a command) the
// exact text to paste. The Distribution block is the README's, word for
// word, with this registry's URL and secret; a test holds them together.

// distributionYAML is the notifications block of Distribution's config.yml.
export function distributionYAML(url, secret) {
  return `notifications:
  events:
    includereferences: true          # lets Airlock tell artifacts from images without fetching manifests
  endpoints:
    - name: airlock
      url: ${url}
      headers:
        Authorization: [Bearer ${secret}]   # the registry's webhook_secret
      timeout: 5s
      threshold: 5
      backoff: 1s
      ignore:
        actions: [pull, mount]
        mediatypes:
          - application/octet-stream
          - application/vnd.oci.image.layer.v1.tar
          - application/vnd.oci.image.layer.v1.tar+gzip
          - application/vnd.oci.image.layer.v1.tar+zstd
          - application/vnd.docker.image.rootfs.diff.tar.gzip
          - application/vnd.oci.image.config.v1+json
          - application/vnd.docker.container.image.v1+json
`;
}

// A step is a list of parts: text, or {code} for a value to type or paste.
const code = (text) => ({ code: text });

// setup tells how to point the registry at host, of this kind, at url with
// secret: {steps, config, file}. config, when there is one, is the text to
// paste (file names where).
export function setup(kind, host, url, secret) {
  switch (kind) {
    case 'distribution':
      return { file: 'config.yml', config: distributionYAML(url, secret),
        steps: [['Add this block to the registry\'s ', code('config.yml'), ' (Distribution v2.7+ and v3) and restart it.']] };
    case 'harbor':
      return { steps: [
        ['In Harbor: Project → Webhooks → New webhook, notify type ', code('http'), ', event type Artifact pushed.'],
        ['Endpoint URL: ', code(url)],
        ['Auth Header: ', code(secret), ' (Harbor sends it verbatim as Authorization).'],
        ['Payload format: Default or CloudEvents.']] };
    case 'ghcr':
      return { steps: [
        ['In GitHub: the repository\'s or organisation\'s Settings → Webhooks → Add webhook.'],
        ['Payload URL: ', code(url), ' (it carries the secret as ?token=: GitHub sends no custom header).'],
        ['Content type ', code('application/json'), '; events: Packages (or Registry packages).']] };
    case 'dockerhub':
      return { steps: [
        ['In Docker Hub: the repository → Webhooks: any name, and as Webhook URL:'],
        [code(url), ' (it carries the secret as ?token=: Docker Hub sends no header).']] };
    case 'quay':
      return { steps: [
        ['In Quay: the repository → Settings → Events and Notifications → Create Notification.'],
        ['When: Push to Repository; then: Webhook POST, to ', code(url), ' (it carries the secret as ?token=).']] };
    case 'acr':
      return { file: 'Azure CLI', config: `az acr webhook create --registry ${host.split('.')[0]} --name airlock --actions push \\\n  --uri '${url}' --headers 'Authorization=Bearer ${secret}'\n`,
        steps: [['Create a push webhook on the registry with the Azure CLI (or the portal, with the same URI and header):']] };
    default:
      return { steps: [
        ['Have the registry POST each push as JSON to ', code(url)],
        ['with the header ', code(`Authorization: Bearer ${secret}`), '.']] };
  }
}
