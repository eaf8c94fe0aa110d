'use strict';
// A test against a real n8n waits for n8n itself (a start, an execution, an activation): minutes
// on a loaded machine. jest takes one timeout per run from its configuration, so a project sets its own here.
jest.setTimeout(5 * 60 * 1000);
