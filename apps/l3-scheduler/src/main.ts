import 'reflect-metadata';
import { runProcess } from '@cp/runtime';
import { serveL3Process } from './serve-process';

runProcess(serveL3Process);
