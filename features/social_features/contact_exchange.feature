@CSW-SOC-7
Feature: Exchanging number and nickname with another brand's watch
  Clause 4.18: the watch exchanges phone number and nickname with a nearby
  watch of another brand, the exchanged contact appears in the guardian's
  contact list, and the guardian's app can switch the exchange off. The
  second watch is a reference watch of another brand.

  Background:
    Given a watch bound to its guardian

  Scenario: The child exchanges number and nickname with another brand's watch
    When the child tries to exchange number and nickname with a nearby watch of another brand
    Then the watch allows it
    And the other watch has received the child's number and nickname
    And the guardian's contact list holds the other watch's number and nickname

  Scenario: The guardian switches the exchange off
    Given the guardian switches contact exchange off
    When the child tries to exchange number and nickname with a nearby watch of another brand
    Then the watch refuses
    And the guardian's contact list does not hold the other watch's number

  Scenario: The child cannot switch the exchange back on from the watch
    Given the guardian switches contact exchange off
    When the child tries to switch contact exchange back on
    Then the watch refuses
    When the child tries to exchange number and nickname with a nearby watch of another brand
    Then the watch refuses
