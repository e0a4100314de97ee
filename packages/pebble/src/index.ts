export { PebbleError } from './errors.js';
