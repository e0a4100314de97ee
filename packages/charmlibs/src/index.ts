export { CharmLibError } from './errors.js';
