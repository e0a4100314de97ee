export { IngressProvider, type IngressRequest } from './ingress-provider.js';
export { IngressRequirer, type IngressRequirerOptions } from './ingress-requirer.js';
export { type IngressProviderData, type IngressRequirerData, ingressV2 } from './schema.js';
