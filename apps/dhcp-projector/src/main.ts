import 'reflect-metadata';
import { runProcess } from '@cp/runtime';
import { serveDhcpProcess } from './serve-process';

runProcess(serveDhcpProcess);
