export { TestingError } from './errors.js';
