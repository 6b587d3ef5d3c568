import { Hono } from 'hono';
import type { Env } from './v1.js';
export const pages = new Hono<Env>();
