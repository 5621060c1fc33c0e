@CSW-PAY-4
Feature: No top-up, no auto-renewal, no password-free payment
  The watch takes no stored-value top-up (pre-charging) and starts no
  auto-renewing subscription, and it never pays without the payment password
  the guardian set: not without a password, not with a wrong one.

  Background:
    Given a watch bound to its guardian
    And the guardian consents to the payment agreement shown

  Scenario: The wallet cannot be topped up
    When the child tries to top up the wallet with 10 yuan
    Then the watch refuses
    And the refused payment is not in the bill

  Scenario: No subscription renews itself
    When the child tries to start an auto-renewing subscription of 10 yuan a month
    Then the watch refuses
    And the refused payment is not in the bill

  Scenario: The watch never pays without the payment password
    When the child tries to pay 5 yuan without the payment password
    Then the watch refuses
    And the refused payment is not in the bill
    When the child tries to pay 5 yuan with a wrong payment password
    Then the watch refuses
    And the refused payment is not in the bill
