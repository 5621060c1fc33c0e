@CSW-PAY-5
Feature: Spending caps by age band
  Even where the guardian set no limits, the watch keeps each payment and
  each calendar month's spending within the profile's caps for the child's
  age band. Where the band's cap is nothing, no payment is possible at all.

  Scenario Outline: A payment above the band's per-transaction cap is refused
    Given the child is in age band "<band>"
    And the guardian consents to the payment agreement shown
    When the child tries to pay the band's per-transaction cap plus 1 yuan
    Then the watch refuses
    And the refused payment is not in the bill

    Examples:
      | band     |
      | age-3-7  |
      | age-8-13 |

  Scenario Outline: Payments cannot add up past the band's monthly cap
    Given the child is in age band "<band>"
    And the guardian consents to the payment agreement shown
    When the child pays the band's per-transaction cap again and again until past the band's monthly cap
    Then the watch refuses
    And the refused payment is not in the bill

    Examples:
      | band     |
      | age-3-7  |
      | age-8-13 |
