@CSW-PAY-3
Feature: The guardian's bill
  The guardian sees every transaction the child made, with its amount, time
  and merchant, small ones included. Wiping the watch does not hide spending:
  the bill survives a factory reset.

  Background:
    Given a watch bound to its guardian
    And the guardian consents to the payment agreement shown

  Scenario: The bill lists every payment, small ones included
    When the child pays 12.50 yuan to "Xinhua Bookstore"
    And 10 minutes pass
    And the child pays 0.50 yuan to "School canteen"
    Then the guardian's bill lists every payment the child made with its amount, time and merchant

  Scenario: A factory reset does not erase the bill
    When the child pays 12.50 yuan to "Xinhua Bookstore"
    And the child pays 0.50 yuan to "School canteen"
    And the child factory-resets the watch with the guardian's code
    Then the guardian's bill lists every payment the child made with its amount, time and merchant
