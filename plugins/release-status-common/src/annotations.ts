/**
 * The annotation naming a component's service in release-manager (the
 * shuttle processor writes it from shuttle.yaml's `vars.service`).
 */
export const RELEASE_MANAGER_SERVICE_ANNOTATION =
  'lunar.app/release-manager-service';
