/** Time comes into the system through this port: the wall clock in Lambda, a simulated clock in sim/. */
export interface Clock {
  nowMs(): number;
}
