import type { OrderStatus } from "@thetaflow/schemas";

/**
 * IB's order status strings to ours. `PendingCancel` is still working (the cancel may lose to a fill);
 * `Inactive` is IB's word for an order it will not work (rejected, or outside trading hours with no
 * preset) and maps to rejected.
 */
export const ourStatus = (ibStatus: string, filled: number, remaining: number): OrderStatus | undefined => {
  switch (ibStatus) {
    case "ApiPending":
    case "PendingSubmit":
      return "new";
    case "PreSubmitted":
    case "Submitted":
    case "PendingCancel":
      return filled > 0 ? "partially_filled" : "submitted";
    case "Filled":
      return remaining > 0 ? "partially_filled" : "filled";
    case "ApiCancelled":
    case "Cancelled":
      return "cancelled";
    case "Inactive":
      return "rejected";
    default:
      return undefined;
  }
};

export const isTerminal = (s: OrderStatus): boolean =>
  s === "filled" || s === "cancelled" || s === "rejected" || s === "expired";
