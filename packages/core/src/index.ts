export { FrameworkError } from './errors.js';
